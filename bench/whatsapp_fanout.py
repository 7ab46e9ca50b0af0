"""Link messages per second over WhatsApp: the notification worker against one sender in a loop, same fake API.

    python -m bench.whatsapp_fanout [--messages 3000] [--baseline-messages 100] [--delay 0.1] [--database URL]

The worker runs as in production (`python -m services.notification.worker`, default settings: RabbitMQ,
its database, one row and attempt per message) and sends the `stream.link_issued` events of a meeting
whose channels are `["whatsapp"]` to the fake Cloud API of the tests (tests/fixtures/whatsapp_api.py,
checking every request's shape) running in its own process and answering each request after --delay
seconds. The baseline is the same WhatsApp sender called in one loop, one message after another,
against the same fake: what a plain script would do. Rates are counted at the fake API from the first
to the last accepted message, so start-up is not in them.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pika

from bench.notification_throughput import MEETING, ROOT, _stop, delete_vhost, free_port, fresh_vhost, link_payload
from services.notification.channels.whatsapp_cloud import WhatsAppCloudSender
from services.notification.domain.whatsapp import Template
from shared.messaging.topology import EXCHANGE, declare_topology, queue_name
from tests.fixtures.whatsapp_api import PHONE_NUMBER_ID, TEMPLATES, TOKEN

WHATSAPP_MEETING = {**MEETING, "channels": ["whatsapp"]}


class FakeApi:
    def __init__(self, workdir: Path, delay: float):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v20.0"
        self.count_file = workdir / f"whatsapp-{self.port}.count"
        self.process = subprocess.Popen([sys.executable, "-m", "bench.whatsapp_fake_api", "--port", str(self.port), "--delay", str(delay), "--count-file", str(self.count_file)], cwd=ROOT)
        self._wait(lambda: self.count_file.exists(), 30, "the fake API did not start")

    def read(self) -> tuple[int, float, float]:
        try:
            count, first, last = self.count_file.read_text().split()
        except (OSError, ValueError):
            return 0, 0.0, 0.0
        return int(count), float(first), float(last)

    def rate_when(self, total: int, timeout: float, process: subprocess.Popen | None = None) -> float:
        self._wait(lambda: self.read()[0] >= total, timeout, f"fewer than {total} messages arrived", process)
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


def _payload(i: int) -> dict:
    payload = link_payload(i)
    payload["participant"]["phone"] = f"+62813{i:08d}"
    payload["meeting"] = WHATSAPP_MEETING
    return payload


def run_worker(count: int, args, workdir: Path) -> float:
    vhost = fresh_vhost()
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    api = FakeApi(workdir, args.delay)
    worker = None
    try:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        channel = connection.channel()
        declare_topology(channel, (5, 30))
        for i in range(count):
            envelope = {"id": str(uuid.uuid4()), "type": "stream.link_issued", "version": 1, "occurred_at": "2021-11-30T02:00:00+00:00", "producer": "streaming", "correlation_id": None, "data": _payload(i)}
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
            "LOG_LEVEL": "WARNING",
            "WHATSAPP_PROVIDER": "cloud",
            "WHATSAPP_API_URL": api.url,
            "WHATSAPP_TOKEN": TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_TEMPLATES": json.dumps(TEMPLATES),
        }
        worker = subprocess.Popen([sys.executable, "-m", "services.notification.worker"], cwd=ROOT, env=env)
        return api.rate_when(count, args.timeout, worker)
    finally:
        if worker is not None:
            _stop(worker)
        api.stop()
        delete_vhost(vhost)


def run_baseline(count: int, args, workdir: Path) -> float:
    api = FakeApi(workdir, args.delay)
    sender = WhatsAppCloudSender(api.url, TOKEN, PHONE_NUMBER_ID)
    template = Template("rakor_tautan", url_button=True)
    try:
        for i in range(count):
            sender.send(f"+62813{i:08d}", template, "id", [f"Peserta Uji {i}", MEETING["title"], "1 Desember 2021", "online", "-"], f"j/{uuid.uuid4().hex}")
        return api.rate_when(count, 60)
    finally:
        sender.close()
        api.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.whatsapp_fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3_000, help="link messages through the worker")
    parser.add_argument("--baseline-messages", type=int, default=100, help="messages through the one-at-a-time loop (its rate is 1/delay at best)")
    parser.add_argument("--delay", type=float, default=0.1, help="seconds the fake API waits before each answer")
    parser.add_argument("--database", help="DATABASE_URL of the worker (default: a fresh SQLite file)")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rakor-bench-whatsapp-") as directory:
        workdir = Path(directory)
        ours = run_worker(args.messages, args, workdir)
        print(f"notification worker: {ours:.1f} messages/s ({args.messages} WhatsApp links, default settings, {args.delay * 1000:g} ms per API answer)")
        baseline = run_baseline(args.baseline_messages, args, workdir)
        print(f"one-at-a-time loop:  {baseline:.1f} messages/s ({args.baseline_messages} messages, same fake API)")
        print(f"ratio: {ours / baseline:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
