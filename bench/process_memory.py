"""Resident memory of each kind of Rakor process, the base of the Kubernetes requests and limits.

    python -m bench.process_memory [--requests 300] [--gunicorn-workers 2]

Starts every process of deploy/Procfile as a pod runs it (APIs under gunicorn with GUNICORN_WORKERS
workers, on SQLite files, MIGRATE_ON_START=1 here so the databases exist), waits until each is healthy (/healthz, or
the heartbeat file of a relay or consumer), sends each API --requests requests (/readyz, /docs,
/openapi.json, /metrics), then reads the proportional set size (PSS, /proc/<pid>/smaps_rollup) and the
resident set (RSS) of every process of its tree: a gunicorn pod is the master and its workers. PSS
splits pages shared after fork fairly, so the sum is what the pod costs; RSS counts them twice.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
ADMIN_TOKEN = "bench-organizer-token-0123456789"
PORTS = {"registration-api": 18001, "notification-api": 18002, "streaming-api": 18003, "console-api": 18004}


def procfile() -> dict[str, str]:
    lines = (REPO / "deploy" / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def tree(pid: int) -> list[int]:
    """`pid` and its descendants."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = [pid]
    if children.exists():
        for child in children.read_text().split():
            found += tree(int(child))
    return found


def memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        values[name] = int(value.split()[0])
    return values["Pss"], values["Rss"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="rakor-memory-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "DATA_DIR": str(data),
        "LOG_LEVEL": "WARNING",
        "RABBITMQ_URL": os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
        "GUNICORN_WORKERS": str(args.gunicorn_workers),
        "CONSOLE_SECRET_KEY": "bench-console-secret-key-0123456789",
        "REGISTRATION_URL": f"http://127.0.0.1:{PORTS['registration-api']}",
        "NOTIFICATION_URL": f"http://127.0.0.1:{PORTS['notification-api']}",
        "STREAMING_URL": f"http://127.0.0.1:{PORTS['streaming-api']}",
        "PROMETHEUS_MULTIPROC_DIR": str(data / "metrics"),
    }
    (data / "metrics").mkdir()
    for name, port in PORTS.items():
        env[f"{name.split('-')[0].upper()}_PORT"] = str(port)
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in procfile().items():
            argv = [sys.executable if part == "python" else part for part in shlex.split(command)]
            if argv[0] == "gunicorn":
                argv = [sys.executable, "-m", "gunicorn", *argv[1:]]
            processes[name] = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _wait_ready(name, data, processes[name])
        for name, port in PORTS.items():
            for i in range(args.requests):
                path = ("/readyz", "/docs", "/openapi.json", "/metrics")[i % 4] if name != "console-api" else "/healthz"
                requests.get(f"http://127.0.0.1:{port}{path}", timeout=30)
        print(f"{'process':<22} {'procs':>5} {'PSS MB':>8} {'RSS MB':>8}")
        for name, process in processes.items():
            pids = tree(process.pid)
            pss, rss = map(sum, zip(*(memory_kb(pid) for pid in pids), strict=False))
            print(f"{name:<22} {len(pids):>5} {pss / 1024:>8.1f} {rss / 1024:>8.1f}")
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(30)


def _wait_ready(name: str, data: Path, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}")
        if name in PORTS:
            try:
                if requests.get(f"http://127.0.0.1:{PORTS[name]}/healthz", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
        elif (data / f"{name}.alive").exists():
            return
        time.sleep(0.1)
    raise SystemExit(f"{name} not ready within {timeout} s")


if __name__ == "__main__":
    main()
