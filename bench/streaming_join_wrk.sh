#!/usr/bin/env bash
# GET /j/{token} measured with wrk against the ceiling issue 5 names, "the same bare-Flask ceiling used
# for registration" (bench/registration_intake_wrk.sh: a bare Flask + marshmallow endpoint validating
# the registration body), and against a stricter one, a bare Flask redirect that looks nothing up.
# All three run under the same gunicorn settings in the same run; wrk keeps the client's CPU small.
#   bash bench/streaming_join_wrk.sh [seconds] [workers] [postgresql-admin-url]
# With a PostgreSQL admin URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) a scratch
# database is created for the run and dropped after it; otherwise a SQLite file is used.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-20}
WORKERS=${2:-2}
PG_ADMIN=${3:-}
export PYTHONPATH=.
PY=.venv/bin/python
DATA=$(mktemp -d)
export RAKOR_ADMIN_TOKEN=bench-admin-token-streaming DATA_DIR=$DATA JOIN_RATE_LIMIT=100000000 LOG_LEVEL=WARNING
PG_NAME=rakor_bench_join_$$
if [ -n "$PG_ADMIN" ]; then
  $PY -c "import sqlalchemy as sa; sa.create_engine('$PG_ADMIN', isolation_level='AUTOCOMMIT').connect().exec_driver_sql('CREATE DATABASE $PG_NAME')"
  export DATABASE_URL="${PG_ADMIN%/*}/$PG_NAME"
else
  export DATABASE_URL="sqlite:///$DATA/streaming.db"
fi
$PY -c "
import sys; from bench.streaming_join import prepare
open('$DATA/tokens', 'w').write('\n'.join(prepare('$DATABASE_URL', '$DATA', 1000)) + '\n')"
serve() { $PY -m gunicorn -w "$WORKERS" -b "127.0.0.1:$1" --log-level warning "$2" & }
serve 18201 'services.streaming.app:create_app()'; JOIN=$!
serve 18202 'bench.registration_intake:create_baseline_app()'; CEILING=$!
serve 18203 'bench.streaming_bare_app:app'; BARE=$!
cleanup() {
  kill $JOIN $CEILING $BARE 2>/dev/null; wait 2>/dev/null
  [ -n "$PG_ADMIN" ] && $PY -c "import sqlalchemy as sa; sa.create_engine('$PG_ADMIN', isolation_level='AUTOCOMMIT').connect().exec_driver_sql('DROP DATABASE IF EXISTS $PG_NAME WITH (FORCE)')"
  rm -rf "$DATA"
}
trap cleanup EXIT
for port in 18201 18202 18203; do
  for _ in $(seq 300); do curl -sf "127.0.0.1:$port/healthz" >/dev/null 2>&1 || curl -s -o /dev/null "127.0.0.1:$port/j/warmup" && break; sleep 0.1; done
done
rate() { echo "$1" | awk '/Requests\/sec/ {print $2}'; }
out=$(wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" -s bench/wrk/post_registration.lua "http://127.0.0.1:18202/v1/events/x/registrations"); ceiling=$(rate "$out")
out=$(wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" -s bench/wrk/get_join_link.lua "http://127.0.0.1:18203" -- "$DATA/tokens"); bare=$(rate "$out")
out=$(wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" -s bench/wrk/get_join_link.lua "http://127.0.0.1:18201" -- "$DATA/tokens"); join=$(rate "$out")
echo "$out" | grep status
echo "database: ${DATABASE_URL%%:*}, gunicorn -w $WORKERS (sync), wrk -t2 -c16 for ${SECONDS_PER_RUN}s each"
echo "ceiling of issue 5 (bare Flask + marshmallow POST): $ceiling req/s"
echo "bare Flask redirect (stricter):                    $bare req/s"
echo "streaming /j/{token} (lookup, join + outbox rows): $join req/s"
$PY -c "print(f'ratio: {$join / $ceiling:.2f} of the registration ceiling (target >= 0.6), {$join / $bare:.2f} of the bare redirect')"
