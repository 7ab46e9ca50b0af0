"""Link emails per second: the notification worker (pooled SMTP, threads) against a Celery baseline.

    python -m bench.notification_throughput [--messages 10000] [--baseline-messages 1000]
        [--delay 0.02] [--pool 16] [--concurrency 16] [--database URL] [--skip-baseline]

Both sides send stream.link_issued emails rendered from the same templates to the same SMTP sink,
which waits --delay seconds before every reply (a slow relay). The worker runs as in production
(`python -m services.notification.worker`: RabbitMQ, its database, one row and attempt per mail);
the baseline is Celery with 2 prefork processes and a new smtplib connection per mail. Each rate is
counted at the sink from the first to the last mail, so start-up is not in it. The queue is filled
before a consumer starts. Each side gets a fresh RabbitMQ vhost (made with rabbitmqctl).
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
from pathlib import Path

import pika

from services.notification.domain.messages import Recipient, build_context, plan_messages
from shared.messaging.topology import EXCHANGE, declare_topology, queue_name

ROOT = Path(__file__).resolve().parents[1]
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


def fresh_vhost() -> str:
    vhost = f"rakor-bench-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True, capture_output=True)
    return vhost


def delete_vhost(vhost: str) -> None:
    subprocess.run(["rabbitmqctl", "delete_vhost", vhost], check=False, capture_output=True)


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


class Sink:
    """The SMTP sink in its own process, so its work does not share our interpreter's lock."""

    def __init__(self, workdir: Path, delay: float):
        self.port = free_port()
        self.count_file = workdir / f"sink-{self.port}.count"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.notification_smtp_sink", "--port", str(self.port), "--delay", str(delay), "--count-file", str(self.count_file)],
            cwd=ROOT,
        )
        self._wait(lambda: self.count_file.exists(), 30, "SMTP sink did not start")

    def read(self) -> tuple[int, float, float]:
        try:
            count, first, last = self.count_file.read_text().split()
        except (OSError, ValueError):
            return 0, 0.0, 0.0
        return int(count), float(first), float(last)

    def rate_when(self, total: int, timeout: float, process: subprocess.Popen) -> float:
        self._wait(lambda: self.read()[0] >= total, timeout, f"fewer than {total} mails arrived", process)
        count, first, last = self.read()
        return (count - 1) / (last - first)

    def _wait(self, predicate, timeout: float, message: str, process: subprocess.Popen | None = None) -> None:
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


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()


def run_worker(count: int, args, workdir: Path) -> float:
    vhost = fresh_vhost()
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    sink = Sink(workdir, args.delay)
    worker = None
    try:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        channel = connection.channel()
        declare_topology(channel, (5, 30))
        for i in range(count):
            envelope = {"id": str(uuid.uuid4()), "type": "stream.link_issued", "version": 1, "occurred_at": "2021-11-30T02:00:00+00:00", "producer": "streaming", "correlation_id": None, "data": link_payload(i)}
            channel.basic_publish(EXCHANGE, "stream.link_issued", json.dumps(envelope).encode(), pika.BasicProperties(delivery_mode=2, content_type="application/json"))
        while channel.queue_declare(queue_name("notification"), passive=True).method.message_count < count:
            time.sleep(0.2)
        connection.close()
        env = {
            **os.environ,
            "DATA_DIR": str(workdir / "worker"),
            "DATABASE_URL": args.database or f"sqlite:///{workdir / 'worker' / 'notification.db'}",
            "RAKOR_ADMIN_TOKEN": "bench-admin-token-0123456789",
            "RABBITMQ_URL": amqp_url,
            "RETRY_DELAYS": "5,30",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(sink.port),
            "SMTP_POOL_SIZE": str(args.pool),
            "CONSUMER_CONCURRENCY": str(args.concurrency),
            "CONSUMER_PREFETCH": str(args.concurrency * 4),
            "LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen([sys.executable, "-m", "services.notification.worker"], cwd=ROOT, env=env)
        return sink.rate_when(count, args.timeout, worker)
    finally:
        if worker is not None:
            _stop(worker)
        sink.stop()
        delete_vhost(vhost)


def run_baseline(count: int, args, workdir: Path) -> float:
    vhost = fresh_vhost()
    broker = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    sink = Sink(workdir, args.delay)
    worker = None
    try:
        os.environ["BENCH_CELERY_BROKER"] = broker
        from bench.notification_celery_baseline import app, send_link_email

        app.conf.broker_url = broker
        recipients = []
        for i in range(count):
            payload = link_payload(i)
            person = payload["participant"]
            recipients.append(Recipient(payload["registration_id"], person["full_name"], person["email"], None, "id", "online", "confirmed"))
        with app.producer_or_acquire() as producer:
            for i, recipient in enumerate(recipients):
                [message] = plan_messages("link_issued", [recipient])
                context = build_context(message, MEETING, extra={"join_url": f"https://rakor.example.go.id/j/{i}", "youtube_url": "https://www.youtube.com/watch?v=ditjenikp2021"})
                send_link_email.apply_async((context, str(uuid.uuid4())), producer=producer)
        env = {**os.environ, "BENCH_CELERY_BROKER": broker, "BENCH_SMTP_HOST": "127.0.0.1", "BENCH_SMTP_PORT": str(sink.port)}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "bench.notification_celery_baseline", "worker", "--concurrency", str(args.baseline_processes),
             "--pool", "prefork", "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=env,
        )
        return sink.rate_when(count, args.timeout, worker)
    finally:
        if worker is not None:
            _stop(worker)
        sink.stop()
        delete_vhost(vhost)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notification_throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="link emails through the worker")
    parser.add_argument("--baseline-messages", type=int, default=1_000, help="link emails through Celery (its rate is steady; 10,000 take ~12 min)")
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the SMTP sink waits before each reply")
    parser.add_argument("--pool", type=int, default=16, help="SMTP_POOL_SIZE of the worker")
    parser.add_argument("--concurrency", type=int, default=16, help="CONSUMER_CONCURRENCY of the worker")
    parser.add_argument("--baseline-processes", type=int, default=2)
    parser.add_argument("--database", help="DATABASE_URL of the worker (default: a fresh SQLite file)")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rakor-bench-notification-") as directory:
        workdir = Path(directory)
        ours = run_worker(args.messages, args, workdir)
        print(f"notification worker: {ours:.1f} mails/s ({args.messages} mails, pool {args.pool}, {args.concurrency} threads, {args.delay * 1000:g} ms per SMTP reply)")
        if args.skip_baseline:
            return 0
        baseline = run_baseline(args.baseline_messages, args, workdir)
        print(f"celery baseline:     {baseline:.1f} mails/s ({args.baseline_messages} mails, {args.baseline_processes} processes, new connection per mail)")
        print(f"ratio: {ours / baseline:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
