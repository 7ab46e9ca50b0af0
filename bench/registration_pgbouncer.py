"""200 simultaneous registrations for a small meeting: PostgreSQL directly against the same through PgBouncer (transaction mode).

    python -m bench.registration_pgbouncer [--registrations 200] [--capacity 20] [--concurrency 24] [--workers 3] [--rounds 5]
                                           [--pg-admin-url postgresql://postgres@127.0.0.1:5432/postgres]

Two registration APIs under gunicorn with the same worker count, each on its own fresh database: one
reaching PostgreSQL directly, one through a private pgbouncer (pool_mode = transaction, 8 server
connections for the database, DB_POOLER=transaction). In each round both get a new meeting of
--capacity seats and --registrations simultaneous in-person registrations from --concurrency threads,
the two alternating so a noisy moment of the machine hits both. Reported: the median wall time of a
burst on each, their ratio (through PgBouncer / direct), and per burst that exactly --capacity were
confirmed (the run fails otherwise).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from bench.harness import ORGANIZER, create_meeting, free_port, registration_env
from bench.registration_intake import drive, serve, stop
from tests.fixtures.pgbouncer import SERVER_POOL_SIZE, PgBouncer


def fresh_database(admin_url: str) -> tuple[str, str]:
    name = f"rakor_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    engine.dispose()
    return name, admin_url.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def burst(base: str, key: dict[str, str], registrations: int, capacity: int, concurrency: int) -> tuple[float, int]:
    """Seconds for `registrations` simultaneous registrations to a new meeting, and how many were confirmed."""
    event_id = create_meeting(base, capacity)
    start = time.perf_counter()
    _, statuses = drive(
        f"{base}/v1/events/{event_id}/registrations", lambda i: key, registrations, concurrency, first=int(time.time() * 1000) % 10**7
    )
    elapsed = time.perf_counter() - start
    assert statuses == {201: registrations}, statuses
    seats = requests.get(f"{base}/v1/events/{event_id}", headers=ORGANIZER, timeout=30).json()["seats"]
    return elapsed, seats["taken"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.registration_pgbouncer", description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg-admin-url", default=os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args(argv)

    directory = Path(tempfile.mkdtemp(prefix="rakor-bench-pgbouncer-"))
    directory.chmod(0o755)
    bouncer = PgBouncer(args.pg_admin_url, directory)
    bouncer.start()
    names, servers = [], {}
    try:
        for mode in ("direct", "pgbouncer"):
            name, url = fresh_database(args.pg_admin_url)
            names.append(name)
            if mode == "direct":
                env = registration_env(url, str(directory))
            else:
                env = {**registration_env(bouncer.url_for(url), str(directory)), "DB_POOLER": "transaction"}
            port = free_port()
            servers[mode] = (f"http://127.0.0.1:{port}", serve("services.registration.app:create_app()", port, args.workers, env))
        keys = {}
        for mode, (base, _) in servers.items():
            body = {"name": "Dinas Kominfo Kabupaten Sleman", "kind": "regency", "contact_email": "humas@slemankab.go.id"}
            agency = requests.post(f"{base}/v1/agencies", json=body, headers=ORGANIZER, timeout=30).json()
            keys[mode] = {"Authorization": f"Bearer {agency['api_key']}"}
            burst(base, keys[mode], 20, args.capacity, args.concurrency)  # warm the workers' pools
        times: dict[str, list[float]] = {"direct": [], "pgbouncer": []}
        ok = True
        for _ in range(args.rounds):
            for mode, (base, _) in servers.items():
                elapsed, taken = burst(base, keys[mode], args.registrations, args.capacity, args.concurrency)
                times[mode].append(elapsed)
                ok &= taken == args.capacity
    finally:
        for _, process in servers.values():
            stop(process)
        bouncer.stop()
        for name in names:
            drop_database(args.pg_admin_url, name)
        shutil.rmtree(directory, ignore_errors=True)
    direct, pooled = statistics.median(times["direct"]), statistics.median(times["pgbouncer"])
    print(
        f"{args.registrations} simultaneous registrations, {args.capacity} seats, {args.concurrency} client threads, {args.workers} gunicorn workers, {args.rounds} rounds"
    )
    print(
        f"direct PostgreSQL:           median {direct:6.2f} s   ({args.registrations / direct:6.1f} registrations/s)  rounds {[round(t, 2) for t in times['direct']]}"
    )
    print(
        f"through PgBouncer ({SERVER_POOL_SIZE} conns): median {pooled:6.2f} s   ({args.registrations / pooled:6.1f} registrations/s)  rounds {[round(t, 2) for t in times['pgbouncer']]}"
    )
    print(f"ratio pgbouncer / direct: {pooled / direct:.2f}; seats exactly filled in every burst: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
