"""What the benchmarks share.

For all: a free port and a scratch database (a SQLite file, or a fresh PostgreSQL database dropped
afterwards). For the registration benchmarks: the API's environment and command-line options, the
meeting they register to, and the bare Flask + marshmallow endpoint they are measured against. For the
notification benchmarks: a fresh vhost, a queue filled before the worker starts, the worker run as in
production, a counting peer (SMTP sink, fake WhatsApp API) in its own process, and the worker's rate
printed beside its baseline's.

A counting peer writes "<accepted> <monotonic time of the first> <of the last>" to its count file
every 100 ms; rates are taken from the first to the last message, so start-up is not in them.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pika
import requests
from sqlalchemy import create_engine, text

from shared.messaging.topology import EXCHANGE, declare_topology, queue_name

ROOT = Path(__file__).resolve().parents[1]
BENCH_ADMIN_TOKEN = "bench-admin-token-0123456789"
# bench/registration_intake_wrk.sh exports the same token to the registration API it starts.
ORGANIZER_TOKEN = "bench-organizer-token-0123456789"
ORGANIZER = {"Authorization": f"Bearer {ORGANIZER_TOKEN}"}
REGISTRATION_MEETING = {
    "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
    "starts_at": "2031-12-01T09:00:00+07:00",
    "ends_at": "2031-12-01T16:00:00+07:00",
    "venue": {"name": "Hotel Aviary Bintaro", "address": "Jl. Boulevard Bintaro Jaya Blok B7/A1"},
}
MEETING = {
    "id": "bench-rakor-jfph",
    "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
    "theme": "Tantangan Pranata Humas di Era Disrupsi",
    "starts_at": "2021-12-01T09:00:00+07:00",
    "ends_at": "2021-12-01T12:00:00+07:00",
    "timezone": "Asia/Jakarta",
    "venue": {"name": "Hotel Aviary", "address": "Jl. Raya Sudimara Pinang No. 88, Bintaro", "city": "Tangerang Selatan"},
    "health_protocol": None,
    "online": True,
    "sequence": 0,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_database(admin_url: str, name: str, *, drop: bool = False) -> str:
    """Create (or drop) database `name` on the server of `admin_url`; return its URL."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' if drop else f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database(args: argparse.Namespace, pg_prefix: str, sqlite_url: str) -> Iterator[str]:
    """The URL to run on by the options of add_database_options: `sqlite_url`, or a fresh PostgreSQL
    database named from `pg_prefix`, dropped on leaving."""
    if args.database != "postgresql":
        yield sqlite_url
        return
    name = f"{pg_prefix}_{uuid.uuid4().hex[:8]}"
    url = pg_database(args.pg_admin_url, name)
    try:
        yield url
    finally:
        pg_database(args.pg_admin_url, name, drop=True)


def parse_registration_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The arguments of a registration benchmark, its own options followed by those of the API it serves."""
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pg-url", default="", help="an empty PostgreSQL database (default: a SQLite file)")
    return parser.parse_args(argv)


def service_env(admin_token: str, database_url: str, data_dir: str, **extra: str) -> dict[str, str]:
    """A service's settings in the benchmarks (warnings only in its log)."""
    return {"RAKOR_ADMIN_TOKEN": admin_token, "DATABASE_URL": database_url, "DATA_DIR": data_dir, "LOG_LEVEL": "WARNING", **extra}


def registration_env(database_url: str, data_dir: str) -> dict[str, str]:
    """The registration API's settings in the benchmarks: no agency is ever rate limited."""
    return service_env(ORGANIZER_TOKEN, database_url, data_dir, AGENCY_RATE_LIMIT="1000000")


def create_meeting(base: str, capacity: int, **overrides: object) -> str:
    """A new meeting of `capacity` in-person seats on the registration API at `base`; its id."""
    body = {**REGISTRATION_MEETING, "in_person_capacity": capacity, **overrides}
    return requests.post(f"{base}/v1/events", json=body, headers=ORGANIZER, timeout=30).json()["id"]


def validating_app(name: str, rule: str, schema, answer: Callable[[str, dict], dict], status: int = 200):
    """A bare Flask app whose one POST `rule` (taking an event_id) checks its JSON body with the marshmallow
    `schema` and answers `answer(event_id, body)`, without auth or database: what the real endpoint is
    measured against. /healthz tells the server is up."""
    from flask import Flask, jsonify, request
    from marshmallow import ValidationError

    app = Flask(name)

    @app.post(rule)
    def post(event_id):
        try:
            data = schema.load(request.get_json())
        except ValidationError as exc:
            return jsonify({"errors": exc.messages}), 422
        return jsonify(answer(event_id, data)), status

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


def add_online_participants(connection, event_id: str, count: int, now, **extra: object) -> None:
    """`count` confirmed online participants of streaming's meeting `event_id`, "Peserta Daring {n}" <peserta{n}@pemda.go.id>.

    Written straight into streaming's table: the benchmarks measure what follows (publish, join,
    report import), not the registration events that would bring these people in.
    """
    from sqlalchemy import insert

    from services.streaming.models import Participant

    rows = [
        {
            "registration_id": str(uuid.uuid4()),
            "event_id": event_id,
            "full_name": f"Peserta Daring {n}",
            "email": f"peserta{n}@pemda.go.id",
            "locale": "id",
            "attendance_mode": "online",
            "status": "confirmed",
            "eligible": True,
            "last_event_at": now,
            "updated_at": now,
            **extra,
        }
        for n in range(count)
    ]
    connection.execute(insert(Participant.__table__), rows)


def fresh_vhost() -> str:
    vhost = f"rakor-bench-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True, capture_output=True)
    return vhost


def delete_vhost(vhost: str) -> None:
    subprocess.run(["rabbitmqctl", "delete_vhost", vhost], check=False, capture_output=True)


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()


def link_payload(i: int) -> dict:
    return {
        "registration_id": f"bench-reg-{i:06d}",
        "event_id": MEETING["id"],
        "participant": {"full_name": f"Peserta Uji {i}", "email": f"peserta{i}@humas.go.id", "phone": None, "locale": "id"},
        "join_url": f"https://rakor.example.go.id/j/{uuid.uuid4().hex}",
        "youtube_url": "https://www.youtube.com/watch?v=ditjenikp2021",
        "channel_kinds": ["zoom", "youtube"],
        "meeting": MEETING,
    }


class CountingPeer:
    """A counting peer (`python -m <module> --port --delay --count-file`) in its own process, so its work does not share our interpreter's lock."""

    def __init__(self, module: str, workdir: Path, delay: float, *, name: str, unit: str):
        self.port = free_port()
        self.unit = unit
        self.count_file = workdir / f"{name}-{self.port}.count"
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--port", str(self.port), "--delay", str(delay), "--count-file", str(self.count_file)],
            cwd=ROOT,
        )
        self._wait(lambda: self.count_file.exists(), 30, f"the {name} did not start")

    def read(self) -> tuple[int, float, float]:
        try:
            count, first, last = self.count_file.read_text().split()
        except (OSError, ValueError):
            return 0, 0.0, 0.0
        return int(count), float(first), float(last)

    def rate_when(self, total: int, timeout: float, process: subprocess.Popen | None = None) -> float:
        """Wait until `total` arrived (failing early if the sending `process` exits); their rate from the first to the last."""
        self._wait(lambda: self.read()[0] >= total, timeout, f"fewer than {total} {self.unit} arrived", process)
        count, first, last = self.read()
        return (count - 1) / (last - first)

    def _wait(self, predicate: Callable[[], bool], timeout: float, message: str, process: subprocess.Popen | None = None) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the sender exited with {process.returncode}; {message}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{message} within {timeout:g}s (got {self.read()[0]})")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def queue_link_events(amqp_url: str, payloads: Iterable[dict], count: int) -> None:
    """Publish one stream.link_issued event per payload and wait until the notification queue holds `count`."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    declare_topology(channel, (5, 30))
    for data in payloads:
        envelope = {
            "id": str(uuid.uuid4()),
            "type": "stream.link_issued",
            "version": 1,
            "occurred_at": "2021-11-30T02:00:00+00:00",
            "producer": "streaming",
            "correlation_id": None,
            "data": data,
        }
        channel.basic_publish(
            EXCHANGE,
            "stream.link_issued",
            json.dumps(envelope).encode(),
            pika.BasicProperties(delivery_mode=2, content_type="application/json"),
        )
    while channel.queue_declare(queue_name("notification"), passive=True).method.message_count < count:
        time.sleep(0.2)
    connection.close()


def worker_env(data_dir: Path, database_url: str, amqp_url: str, **extra: str) -> dict[str, str]:
    """The environment of a notification worker of the benchmarks."""
    return {**os.environ, **service_env(BENCH_ADMIN_TOKEN, database_url, str(data_dir), RABBITMQ_URL=amqp_url, **extra)}


def link_fanout_rate(
    count: int, payload: Callable[[int], dict], peer: CountingPeer, workdir: Path, database: str | None, timeout: float, **env: str
) -> float:
    """`count` link events queued in a fresh vhost, then one worker (`python -m services.notification.worker`)
    started on them; the rate at which `peer` receives its messages. The peer is stopped afterwards."""
    vhost = worker = None
    try:
        vhost = fresh_vhost()
        amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
        queue_link_events(amqp_url, (payload(i) for i in range(count)), count)
        database_url = database or f"sqlite:///{workdir / 'worker' / 'notification.db'}"
        env = worker_env(workdir / "worker", database_url, amqp_url, RETRY_DELAYS="5,30", **env)
        worker = subprocess.Popen([sys.executable, "-m", "services.notification.worker"], cwd=ROOT, env=env)
        return peer.rate_when(count, timeout, worker)
    finally:
        if worker is not None:
            stop_process(worker)
        peer.stop()
        if vhost is not None:
            delete_vhost(vhost)


def add_worker_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", help="DATABASE_URL of the worker (default: a fresh SQLite file)")
    parser.add_argument("--timeout", type=float, default=3600)


def parse_worker_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The arguments of a notification benchmark, its own options followed by those of the worker it runs."""
    add_worker_options(parser)
    return parser.parse_args(argv)


class Measure(NamedTuple):
    """One side of a comparison: `run(workdir)` gives its rate, or figures ending with the rate, which fill the `line` template."""

    run: Callable[[Path], float | tuple[float, ...]]
    line: str

    def print_rate(self, workdir: Path) -> float:
        figures = self.run(workdir)
        figures = figures if isinstance(figures, tuple) else (figures,)
        print(self.line.format(*figures))
        return figures[-1]


def print_against_baseline(prefix: str, ours: Measure, baseline: Measure | None, ratio_format: str) -> None:
    """`ours`, then `baseline`, each printed as soon as it is measured, in one scratch directory named after
    `prefix`; then the ratio of their rates in `ratio_format`."""
    with tempfile.TemporaryDirectory(prefix=prefix) as directory:
        workdir = Path(directory)
        rate = ours.print_rate(workdir)
        if baseline is not None:
            print("ratio: " + ratio_format.format(rate / baseline.print_rate(workdir)))
