"""End-to-end latency: from an agency's POST of a registration to its confirmation mail accepted by SMTP.

    python -m bench.notification_latency [--rate 20] [--seconds 30] [--delay 0.02]

Real processes: the registration API under gunicorn, its outbox relay and the notification worker, on
SQLite and a fresh vhost of the local RabbitMQ; the SMTP server runs in this process and notes when each
recipient's mail arrives (every reply after `--delay` seconds, like a real relay). Targets: p50 ≤ 150 ms,
p99 ≤ 1 s at 20 registrations/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from aiosmtpd.controller import Controller

from bench.harness import delete_vhost, free_port, fresh_vhost
from bench.notification_smtp_sink import _SlowSMTP

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-organizer-token-0123456789"


class ArrivalClock:
    """SMTP handler: the monotonic time each recipient's first mail was accepted."""

    def __init__(self):
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.arrived.setdefault(recipient.lower(), now)
        return "250 2.0.0 Ok: queued"


class _Controller(Controller):
    def factory(self):
        return _SlowSMTP(self.handler, **self.SMTP_kwargs)


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="registrations per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds before each SMTP reply")
    args = parser.parse_args(argv)

    _SlowSMTP.delay = args.delay
    clock = ArrivalClock()
    smtp_port, api_port = free_port(), free_port()
    controller = _Controller(clock, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    vhost = fresh_vhost()
    workdir = Path(tempfile.mkdtemp(prefix="rakor-latency-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(workdir),
        "RAKOR_ADMIN_TOKEN": TOKEN,
        "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING",
        "REGISTRATION_PORT": str(api_port),
    }
    python = sys.executable
    processes = [
        start(
            [python, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{api_port}", "services.registration.app:create_app()"],
            env,
            workdir / "api.log",
        ),
        start([python, "-m", "services.registration.relay"], env, workdir / "relay.log"),
        start([python, "-m", "services.notification.worker"], env, workdir / "worker.log"),
    ]
    try:
        base = f"http://127.0.0.1:{api_port}"
        wait_healthy(f"{base}/healthz")
        admin = {"Authorization": f"Bearer {TOKEN}"}
        key = requests.post(
            f"{base}/v1/agencies",
            headers=admin,
            json={"name": "Diskominfo Provinsi Banten", "kind": "province", "contact_email": "humas@bantenprov.go.id"},
        ).json()["api_key"]
        meeting = requests.post(
            f"{base}/v1/events",
            headers=admin,
            json={
                "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
                "starts_at": "2031-12-01T09:00:00+07:00",
                "ends_at": "2031-12-01T16:00:00+07:00",
                "venue": {"name": "Hotel Aviary Bintaro", "address": "Jl. Boulevard Bintaro Jaya Blok B7/A1"},
                "in_person_capacity": 100000,
            },
        ).json()["id"]
        agency = {"Authorization": f"Bearer {key}"}
        warm = requests.post(
            f"{base}/v1/events/{meeting}/registrations",
            headers=agency,
            json={"full_name": "Pemanasan", "email": "pemanasan@bantenprov.go.id", "attendance_mode": "online"},
        )
        assert warm.status_code == 201, warm.text
        deadline = time.monotonic() + 60
        while "pemanasan@bantenprov.go.id" not in clock.arrived and time.monotonic() < deadline:
            time.sleep(0.05)  # the first mail also waits for every process to finish starting

        total = int(args.rate * args.seconds)
        posted: dict[str, float] = {}
        session_local = threading.local()

        def register(n: int) -> None:
            session = getattr(session_local, "session", None) or requests.Session()
            session_local.session = session
            email = f"peserta{n}@bantenprov.go.id"
            posted[email] = time.monotonic()
            answer = session.post(
                f"{base}/v1/events/{meeting}/registrations",
                headers=agency,
                timeout=30,
                json={"full_name": f"Peserta Rakor {n}", "email": email, "phone": f"0812{n:08d}", "attendance_mode": "in_person"},
            )
            assert answer.status_code == 201, answer.text

        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            for n in range(total):
                pause = started + n / args.rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                pool.submit(register, n)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(email in clock.arrived for email in posted):
            time.sleep(0.05)
        latencies = [(clock.arrived[email] - at) * 1000 for email, at in posted.items() if email in clock.arrived]
        missing = len(posted) - len(latencies)
        print(f"{total} registrations at {args.rate}/s, SMTP reply delay {args.delay * 1000:.0f} ms")
        print(
            f"p50 {percentile(latencies, 0.5):.0f} ms, p90 {percentile(latencies, 0.9):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms, "
            f"max {max(latencies):.0f} ms, mean {statistics.mean(latencies):.0f} ms, missing {missing}"
        )
        return 0 if missing == 0 else 1
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        controller.stop()
        delete_vhost(vhost)


if __name__ == "__main__":
    raise SystemExit(main())
