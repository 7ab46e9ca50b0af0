"""What the agency key check costs per request: the 0.5 s key cache against asking the database every time.

    python -m bench.agency_key_check [--requests 500] [--rounds 7] [--database sqlite|postgresql]

In process (Flask test client, one thread), interleaved in rounds: GET /v1/events/{id} as an agency
with the key cache as shipped (KEY_CACHE_SECONDS), with the cache off (every request looks the key
up), and with the organizer's token (no key look-up) as the baseline of the same run; then the two
look-ups alone (a cache hit, the database query), whose difference is what a request pays on a miss.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid

from bench.harness import pg_database

ADMIN_TOKEN = "bench-organizer-token-0123456789"


def make_app(database_url: str, data_dir: str):
    from services.registration.app import create_app
    from shared.settings import load_settings

    environ = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "DATABASE_URL": database_url,
        "DATA_DIR": data_dir,
        "AGENCY_RATE_LIMIT": "100000000",
        "LOG_LEVEL": "WARNING",
    }
    return create_app(load_settings("registration", environ=environ))


def timed(client, path: str, headers: dict[str, str], n: int) -> float:
    """Milliseconds per request."""
    start = time.perf_counter()
    for _ in range(n):
        assert client.get(path, headers=headers).status_code == 200
    return (time.perf_counter() - start) / n * 1000


def per_call_ms(call, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        assert call() is not None
    return (time.perf_counter() - start) / n * 1000


def main(argv: list[str] | None = None) -> int:
    from services.registration.api.context import EXTENSION, KEY_CACHE_SECONDS, AgencyKeyCache

    parser = argparse.ArgumentParser(prog="python -m bench.agency_key_check", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)

    pg_name = f"rakor_bench_keys_{uuid.uuid4().hex[:8]}"
    results: dict[str, list[float]] = {
        "organizer token (no key look-up)": [],
        f"agency key, cache {KEY_CACHE_SECONDS} s": [],
        "agency key, no cache": [],
    }
    with tempfile.TemporaryDirectory(prefix="rakor-bench-keys-") as data_dir:
        url = pg_database(args.pg_admin_url, pg_name) if args.database == "postgresql" else f"sqlite:///{data_dir}/registration.db"
        try:
            app = make_app(url, data_dir)
            client, admin = app.test_client(), {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            key = client.post(
                "/v1/agencies",
                json={"name": "Biro Humas Kementerian", "kind": "ministry", "contact_email": "humas@kementerian.go.id"},
                headers=admin,
            ).json["api_key"]
            meeting = {
                "title": "Rapat Koordinasi Kehumasan",
                "starts_at": "2031-12-01T09:00:00+07:00",
                "ends_at": "2031-12-01T16:00:00+07:00",
                "venue": {"name": "Hotel Bidakara", "address": "Jl. Gatot Subroto Kav. 71-73"},
                "in_person_capacity": 10,
            }
            path = f"/v1/events/{client.post('/v1/events', json=meeting, headers=admin).json['id']}"
            agency = {"Authorization": f"Bearer {key}"}
            context = app.extensions[EXTENSION]
            timed(client, path, agency, 200)  # warm up
            lookups: dict[str, list[float]] = {"cache hit": [], "database look-up": []}
            from services.registration.operations import find_agency_by_key
            from shared.web.auth import hash_secret

            key_hash = hash_secret(key)
            for _ in range(args.rounds):
                warm = AgencyKeyCache()
                warm.put(key_hash, find_agency_by_key(context.session_factory, key_hash))
                lookups["cache hit"].append(per_call_ms(lambda cache=warm: cache.get(key_hash), args.requests))
                lookups["database look-up"].append(
                    per_call_ms(lambda: find_agency_by_key(context.session_factory, key_hash), args.requests)
                )
                names = list(results)
                results[names[0]].append(timed(client, path, admin, args.requests))
                context.agency_keys = AgencyKeyCache()
                results[names[1]].append(timed(client, path, agency, args.requests))
                context.agency_keys = AgencyKeyCache(ttl=-1.0)  # every get() misses: one query per request
                results[names[2]].append(timed(client, path, agency, args.requests))
            app.extensions["rakor_engine"].dispose()
        finally:
            if args.database == "postgresql":
                pg_database(args.pg_admin_url, pg_name, drop=True)
    baseline = statistics.median(next(iter(results.values())))
    print(f"GET /v1/events/{{id}} in process, {args.database}, {args.rounds} rounds of {args.requests} (median ms/request)")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"  {name:34s} {median:6.3f} ms   {median / baseline:4.2f}x the organizer's   (+{median - baseline:.3f} ms)")
    for name, values in lookups.items():
        print(f"  key check alone, {name:18s} {statistics.median(values):6.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
