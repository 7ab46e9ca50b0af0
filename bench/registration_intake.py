"""Registration intake speed: POST /v1/events/{id}/registrations against a bare Flask + marshmallow endpoint.

    python -m bench.registration_intake [--requests 2000] [--concurrency 16] [--workers 2] [--pg-url URL]

Both apps run under gunicorn with the same worker count and are driven by the same client in the same
run, so the ratio (target: at least 0.5) survives a noisy machine. The bare endpoint validates the same
participant schema and answers 201 without touching a database: the ceiling of the stack.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests

from bench.harness import ORGANIZER, create_meeting, free_port, parse_registration_args, registration_env, validating_app

ROOT = Path(__file__).resolve().parents[1]


def participant_body_schema():
    """The body check of the ceiling and of the floor: the shared participant schema plus the attendance mode."""
    from marshmallow import fields, validate

    from shared.schemas.participant import ParticipantSchema

    class Body(ParticipantSchema):
        attendance_mode = fields.String(required=True, validate=validate.OneOf(("in_person", "online")))

    return Body()


def create_baseline_app():
    """The ceiling: Flask + marshmallow validating a participant, no auth, no database."""
    return validating_app(
        "baseline",
        "/v1/events/<event_id>/registrations",
        participant_body_schema(),
        lambda event_id, data: {"id": str(uuid.uuid4()), "event_id": event_id, "status": "confirmed", "participant": data},
        status=201,
    )


def serve(app_spec: str, port: int, workers: int, env: dict[str, str], extra_args: tuple[str, ...] | list[str] = ()) -> subprocess.Popen:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *extra_args,
        app_spec,
    ]
    process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{app_spec} did not become healthy")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def registration_api(workers: int, pg_url: str, data_dir: str) -> Iterator[str]:
    """The registration API on `pg_url` (default: a SQLite file in `data_dir`) under gunicorn, for as long as the block runs; its base URL."""
    port = free_port()
    env = registration_env(pg_url or f"sqlite:///{data_dir}/registration.db", data_dir)
    api = serve("services.registration.app:create_app()", port, workers, env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(api)


def participants(first: int = 1):
    """Distinct participants, numbered from `first`; two in three attend in person."""
    for n in itertools.count(first):
        yield {
            "full_name": f"Peserta Rakor {n}",
            "email": f"peserta{n}@humas.go.id",
            "phone": f"0813{n:08d}",
            "position": "Pranata Humas Ahli Pertama",
            "attendance_mode": "in_person" if n % 3 else "online",
        }


def drive(url: str, headers_for, total: int, concurrency: int, first: int = 1) -> tuple[float, dict[int, int]]:
    """Requests per second for `total` POSTs from `concurrency` threads, and the count of each status."""
    bodies = participants(first)
    lock = threading.Lock()
    local = threading.local()
    statuses: dict[int, int] = {}

    def one(i: int) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        with lock:
            body = next(bodies)
        status = session.post(url, json=body, headers=headers_for(i), timeout=60).status_code
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(total)))
    return total / (time.perf_counter() - start), statuses


def setup_meeting(base: str, agencies: int) -> tuple[str, list[dict[str, str]]]:
    keys = []
    for i in range(agencies):
        body = {"name": f"Diskominfo Kota {i}", "kind": "city", "contact_email": f"humas{i}@kota.go.id"}
        keys.append({"Authorization": f"Bearer {requests.post(f'{base}/v1/agencies', json=body, headers=ORGANIZER).json()['api_key']}"})
    return create_meeting(base, 500), keys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.registration_intake", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parse_registration_args(parser, argv)

    with tempfile.TemporaryDirectory(prefix="rakor-bench-registration-") as data_dir:
        port = free_port()
        baseline = serve("bench.registration_intake:create_baseline_app()", port, args.workers, {})
        try:
            base_rps, base_statuses = drive(
                f"http://127.0.0.1:{port}/v1/events/x/registrations", lambda i: {}, args.requests, args.concurrency
            )
        finally:
            stop(baseline)
        with registration_api(args.workers, args.pg_url, data_dir) as base:
            event_id, keys = setup_meeting(base, 8)
            rps, statuses = drive(
                f"{base}/v1/events/{event_id}/registrations", lambda i: keys[i % len(keys)], args.requests, args.concurrency
            )
    database = "postgresql" if args.pg_url else "sqlite"
    print(f"bare flask+marshmallow: {base_rps:8.1f} req/s  {base_statuses}")
    print(f"registration ({database}): {rps:8.1f} req/s  {statuses}")
    ratio = rps / base_rps
    print(f"ratio: {ratio:.2f} (target >= 0.5)")
    return 0 if ratio >= 0.5 and set(statuses) == {201} else 1


if __name__ == "__main__":
    raise SystemExit(main())
