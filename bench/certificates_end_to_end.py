"""1,000 certificates from the organizer's button to the SMTP sink, against 1,000 plain link emails.

    python -m bench.certificates_end_to_end [--certificates 1000] [--delay 0.02] [--pool 16] [--concurrency 16]

POST /v1/events/{id}/certificates on the registration app (in process, SQLite), its outbox relay and
the notification worker as processes, RabbitMQ on a fresh vhost, and the counting SMTP sink of the
notification benchmark (each reply waits --delay). Measured: from the button to the last certificate
mail accepted. The baseline, in the same run, is the same worker sending as many stream.link_issued
emails (no PDF) already queued, counted at the sink from first to last mail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pika
from sqlalchemy import text

from bench.harness import ROOT, delete_vhost, fresh_vhost, stop_process
from bench.notification_throughput import Sink, run_worker
from shared.messaging.topology import queue_name

ADMIN = {"Authorization": "Bearer bench-admin-token-0123456789"}


def prepare(app, count: int) -> str:
    """A finished meeting with `count` online participants who all joined; its outbox emptied (the
    confirmations are not what is measured)."""
    client = app.test_client()
    agency = client.post(
        "/v1/agencies",
        json={"name": "Biro Humas Kementerian", "kind": "ministry", "contact_email": "humas@kementerian.go.id"},
        headers=ADMIN,
    ).json
    meeting = {
        "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
        "starts_at": "2021-12-01T09:00:00+07:00",
        "ends_at": "2021-12-01T16:00:00+07:00",
        "venue": {"name": "Hotel Aviary Bintaro", "address": "Jl. Boulevard Bintaro Jaya"},
        "in_person_capacity": 0,
        "certificate_hours": 8,
    }
    event_id = client.post("/v1/events", json=meeting, headers=ADMIN).json["id"]
    key = {"Authorization": f"Bearer {agency['api_key']}"}
    for start in range(0, count, 500):
        rows = [
            {
                "full_name": f"Peserta Rakor {n}",
                "email": f"peserta{n}@humas.go.id",
                "nip": f"198501{1 + n // 999:02d}2010012{1 + n % 999:03d}",
                "position": "Pranata Humas Ahli Muda",
                "attendance_mode": "online",
            }
            for n in range(start, min(count, start + 500))
        ]
        response = client.post(f"/v1/events/{event_id}/registrations/bulk", json={"registrations": rows}, headers=key)
        assert response.status_code in (200, 207), response.json
    with app.extensions["rakor_engine"].begin() as connection:
        connection.execute(
            text("UPDATE registrations SET online_joined_at = :at, online_join_count = 1"),
            {"at": dt.datetime(2021, 12, 1, 2, 5, tzinfo=dt.UTC)},
        )
        connection.execute(text("DELETE FROM outbox"))
    return event_id


def wait_for_consumer(amqp_url: str, worker: subprocess.Popen, timeout: float = 120) -> None:
    """Until the notification worker consumes its queue: its start-up is not part of the measurement."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the notification worker exited with {worker.returncode}")
        try:
            connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
            try:
                if connection.channel().queue_declare(queue_name("notification"), passive=True).method.consumer_count:
                    return
            finally:
                connection.close()
        except pika.exceptions.AMQPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the notification worker did not start consuming")


def run_certificates(args, workdir: Path) -> tuple[float, float]:
    from services.registration.app import create_app
    from shared.settings import load_settings

    vhost = fresh_vhost()
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    sink = Sink(workdir, args.delay)
    registration_db = f"sqlite:///{workdir / 'registration.db'}"
    base_env = {
        **os.environ,
        "RAKOR_ADMIN_TOKEN": ADMIN["Authorization"].split()[1],
        "RABBITMQ_URL": amqp_url,
        "LOG_LEVEL": "WARNING",
        "RETRY_DELAYS": "5,30",
    }
    processes: list[subprocess.Popen] = []
    try:
        app = create_app(
            load_settings(
                "registration",
                environ={**base_env, "DATABASE_URL": registration_db, "DATA_DIR": str(workdir), "AGENCY_RATE_LIMIT": "100000"},
            )
        )
        event_id = prepare(app, args.certificates)
        (workdir / "worker-c").mkdir()
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "services.notification.worker"],
                cwd=ROOT,
                env={
                    **base_env,
                    "DATA_DIR": str(workdir / "worker-c"),
                    "DATABASE_URL": f"sqlite:///{workdir / 'worker-c' / 'notification.db'}",
                    "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": str(sink.port),
                    "SMTP_POOL_SIZE": str(args.pool),
                    "CONSUMER_CONCURRENCY": str(args.concurrency),
                    "CONSUMER_PREFETCH": str(args.concurrency * 4),
                },
            )
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "services.registration.relay"],
                cwd=ROOT,
                env={**base_env, "DATABASE_URL": registration_db, "DATA_DIR": str(workdir)},
            )
        )
        wait_for_consumer(amqp_url, processes[0])
        pressed = time.monotonic()
        response = app.test_client().post(f"/v1/events/{event_id}/certificates", headers=ADMIN)
        answered = time.monotonic()
        assert response.status_code == 202 and response.json["issued"] == args.certificates, response.json
        sink.rate_when(args.certificates, args.timeout, processes[0])
        _, _, last = sink.read()
        app.extensions["rakor_engine"].dispose()
        return answered - pressed, last - pressed
    finally:
        for process in processes:
            stop_process(process)
        sink.stop()
        delete_vhost(vhost)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.certificates_end_to_end", description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.02)
    parser.add_argument("--pool", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args(argv)
    args.database = None
    with tempfile.TemporaryDirectory(prefix="rakor-bench-certificates-") as directory:
        workdir = Path(directory)
        answer, total = run_certificates(args, workdir)
        baseline = run_worker(args.certificates, args, workdir)
    rate = args.certificates / total
    print(f"{args.certificates} certificates, {args.delay * 1000:g} ms per SMTP reply, pool {args.pool}, {args.concurrency} threads")
    print(f"  button answered (202) after      {answer:6.2f} s")
    print(f"  last certificate mail accepted   {total:6.2f} s after the button = {rate:6.1f} mails/s")
    print(f"  baseline, plain link emails      {baseline:6.1f} mails/s (same worker and sink, already queued)")
    print(f"  ratio: {rate / baseline:.2f} of the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
