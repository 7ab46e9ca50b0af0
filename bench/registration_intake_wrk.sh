#!/usr/bin/env bash
# Registration intake measured with wrk (a C load generator, so the client does not eat the CPU the
# servers need): the registration API, the bare Flask + marshmallow ceiling and the floor
# (bench/registration_intake_floor.py: the database work alone, on raw SQL), same gunicorn settings,
# same run. Needs `wrk` (Debian: apt-get install wrk) and the local RabbitMQ is not needed (the outbox
# is written, the relay is not running).
#   bash bench/registration_intake_wrk.sh [seconds] [workers] [database-url]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-20}
WORKERS=${2:-2}
export PYTHONPATH=.
DATA=$(mktemp -d)
export RAKOR_ADMIN_TOKEN=bench-organizer-token-0123456789 DATA_DIR=$DATA AGENCY_RATE_LIMIT=100000000 LOG_LEVEL=WARNING
[ -n "${3:-}" ] && export DATABASE_URL=$3
PY=.venv/bin/python
GUNICORN_ARGS=${GUNICORN_ARGS:-}
$PY -m gunicorn $GUNICORN_ARGS -w "$WORKERS" -b 127.0.0.1:18101 --log-level warning 'services.registration.app:create_app()' & RAKOR=$!
$PY -m gunicorn $GUNICORN_ARGS -w "$WORKERS" -b 127.0.0.1:18102 --log-level warning 'bench.registration_intake:create_baseline_app()' & BARE=$!
trap 'kill $RAKOR $BARE 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 300); do
  curl -sf 127.0.0.1:18101/healthz >/dev/null && curl -sf 127.0.0.1:18102/healthz >/dev/null && break; sleep 0.1
done
ADMIN="Authorization: Bearer $RAKOR_ADMIN_TOKEN"
json() { $PY -c "import sys, json; print(json.load(sys.stdin)['$1'])"; }
KEY=$(curl -s -X POST 127.0.0.1:18101/v1/agencies -H "$ADMIN" -H 'Content-Type: application/json' \
  -d '{"name": "Diskominfo Kota Bandung", "kind": "city", "contact_email": "humas@bandung.go.id"}' | json api_key)
EVENT=$(curl -s -X POST 127.0.0.1:18101/v1/events -H "$ADMIN" -H 'Content-Type: application/json' \
  -d '{"title": "Rapat Koordinasi Pembinaan JF Pranata Humas", "starts_at": "2031-12-01T09:00:00+07:00", "ends_at": "2031-12-01T16:00:00+07:00", "venue": {"name": "Hotel Aviary Bintaro", "address": "Jl. Boulevard Bintaro Jaya Blok B7/A1"}, "in_person_capacity": 500}' | json id)
# The floor starts after the API has migrated the database it shares.
$PY -m gunicorn $GUNICORN_ARGS -w "$WORKERS" -b 127.0.0.1:18103 --log-level warning 'bench.registration_intake_floor:create_floor_app()' & FLOOR=$!
trap 'kill $RAKOR $BARE $FLOOR 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 300); do curl -sf 127.0.0.1:18103/healthz >/dev/null && break; sleep 0.1; done
run() {
  local out; out=$(wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" -s bench/wrk/post_registration.lua "$1" -- "${2:-}" "${3:-0}")
  echo "$out" | grep -E "Requests/sec|status" >&2
  echo "$out" | awk '/Requests\/sec/ {print $2}'
}
echo "bare Flask + marshmallow (ceiling):"; ceiling=$(run "http://127.0.0.1:18102/v1/events/$EVENT/registrations")
echo "registration API (auth, seat allocation, outbox):"; api=$(run "http://127.0.0.1:18101/v1/events/$EVENT/registrations" "$KEY")
echo "floor (same body check; raw SQL: lock, count, two INSERTs, commit; nothing else):"
floor=$(run "http://127.0.0.1:18103/v1/events/$EVENT/registrations" "" 500000000)
$PY -c "print(f'ratio to the ceiling: API {$api / $ceiling:.2f} (target >= 0.5), floor {$floor / $ceiling:.2f}; API to floor {$api / $floor:.2f}')"
echo "peak memory (VmHWM) of each registration gunicorn worker after the load:"
for pid in $(pgrep -P "$RAKOR"); do grep VmHWM "/proc/$pid/status" | sed "s/^/  worker $pid /"; done
