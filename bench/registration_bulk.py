"""Bulk intake speed: rows per second through POST /v1/events/{id}/registrations/bulk, against single POSTs.

    python -m bench.registration_bulk [--batches 5] [--rows 1000] [--workers 2] [--pg-url URL]

One agency sends `batches` bodies of `rows` participants each (in person and online mixed, seats given in
list order), one after the other, as an HR system would; the same run then sends the same number of
single registrations with 8 concurrent clients. Bulk should move rows several times faster.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import requests

from bench.harness import parse_registration_args
from bench.registration_intake import drive, participants, registration_api, setup_meeting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.registration_bulk", description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1000)
    args = parse_registration_args(parser, argv)

    with tempfile.TemporaryDirectory(prefix="rakor-bench-bulk-") as data_dir, registration_api(args.workers, args.pg_url, data_dir) as base:
        event_id, keys = setup_meeting(base, 2)
        bodies = participants()
        latencies, created = [], 0
        session = requests.Session()
        start = time.perf_counter()
        for _ in range(args.batches):
            rows = [next(bodies) for _ in range(args.rows)]
            began = time.perf_counter()
            answer = session.post(
                f"{base}/v1/events/{event_id}/registrations/bulk", json={"registrations": rows}, headers=keys[0], timeout=300
            )
            latencies.append(time.perf_counter() - began)
            created += answer.json()["summary"]["created"]
        bulk_rows_per_second = created / (time.perf_counter() - start)
        single_rps, statuses = drive(
            f"{base}/v1/events/{event_id}/registrations",
            lambda i: keys[1],
            args.batches * args.rows // 5,
            8,
            first=args.batches * args.rows + 1,
        )
    database = "postgresql" if args.pg_url else "sqlite"
    print(
        f"bulk ({database}): {bulk_rows_per_second:8.1f} rows/s, {created} created, {args.rows} rows per body in {min(latencies):.2f}-{max(latencies):.2f} s"
    )
    print(f"single ({database}): {single_rps:8.1f} rows/s  {statuses}")
    print(f"bulk / single: {bulk_rows_per_second / single_rps:.1f}x")
    return 0 if created == args.batches * args.rows else 1


if __name__ == "__main__":
    raise SystemExit(main())
