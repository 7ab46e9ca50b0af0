"""GET /j/{token} throughput of the streaming API against a bare Flask endpoint, both under the same gunicorn.

    python -m bench.streaming_join [--requests 4000] [--clients 8] [--database sqlite|postgresql]

A stricter comparison than the target's: the bare endpoint here redirects without doing anything,
while bench/streaming_join_wrk.sh measures against the registration ceiling (bare Flask +
marshmallow), the comparator the target is set against. Rounds alternate between the two servers so a
noisy neighbour hurts both alike; the best round of each counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests
from sqlalchemy import text, update

from bench.harness import add_database_options, add_online_participants, free_port, scratch_database, service_env
from services.streaming.api import EXTENSION
from services.streaming.app import create_app
from services.streaming.models import Meeting
from shared.settings import load_settings

ADMIN = "bench-admin-token-streaming"
GUNICORN = ["-k", "gthread", "-w", "2", "--threads", "4", "--log-level", "warning"]


def serve(app_spec: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *GUNICORN, "-b", f"127.0.0.1:{port}", app_spec],
        env={**os.environ, **env, "PYTHONPATH": os.getcwd()},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/j/warmup", timeout=1, allow_redirects=False)
            return process, port
        except requests.RequestException:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{app_spec} did not start")


def hammer(port: int, tokens: list[str], total: int, clients: int) -> float:
    """Requests per second of `clients` keep-alive connections sending `total` GETs in all."""
    per_client = total // clients
    errors: list[str] = []

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(per_client):
            connection.request("GET", f"/j/{tokens[(offset + i) % len(tokens)]}")
            response = connection.getresponse()
            response.read()
            if response.status != 302:
                errors.append(str(response.status))
        connection.close()

    threads = [threading.Thread(target=client, args=(n * 7,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} answers were not 302, e.g. {errors[:3]}")
    return per_client * clients / elapsed


def streaming_environ(database_url: str, data_dir: str) -> dict[str, str]:
    """The streaming API's settings in the join benchmarks: no visit is ever rate limited."""
    return service_env(ADMIN, database_url, data_dir, JOIN_RATE_LIMIT="100000000")


def prepare(database_url: str, data_dir: str, links: int) -> list[str]:
    """A meeting with a Zoom channel and `links` published personal links; returns their tokens."""
    app = create_app(load_settings("streaming", environ=streaming_environ(database_url, data_dir)))
    engine = app.extensions[EXTENSION].session_factory.kw["bind"]
    client, headers = app.test_client(), {"Authorization": f"Bearer {ADMIN}"}
    event_id = str(uuid.uuid4())
    client.put(f"/v1/events/{event_id}/channels/zoom", json={"url": "https://us02web.zoom.us/j/81234567890"}, headers=headers)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        # A meeting under way, as event.created would describe it: every visit passes the join window check.
        conn.execute(
            update(Meeting)
            .where(Meeting.id == event_id)
            .values(
                title="Rapat Koordinasi Kehumasan",
                timezone="Asia/Jakarta",
                starts_at=now - dt.timedelta(minutes=10),
                ends_at=now + dt.timedelta(days=1),
            )
        )
        add_online_participants(conn, event_id, links, now)
    client.post(f"/v1/events/{event_id}/publish", headers=headers)
    with engine.connect() as conn:
        bodies = conn.execute(text("SELECT body FROM outbox WHERE event_type = 'stream.link_issued'")).scalars().all()
    engine.dispose()
    return [json.loads(body)["data"]["join_url"].rsplit("/j/", 1)[1] for body in bodies]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    add_database_options(parser)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="rakor-bench-join-")
    results: dict[str, list[float]] = {"bare": [], "streaming": []}
    with scratch_database(args, "rakor_bench_streaming", f"sqlite:///{data_dir}/streaming.db") as database_url:
        tokens = prepare(database_url, data_dir, 200)
        env = streaming_environ(database_url, data_dir)
        servers = {"bare": serve("bench.streaming_bare_app:app", env), "streaming": serve("services.streaming.app:create_app()", env)}
        try:
            for _ in range(args.rounds):
                for name, (_process, port) in servers.items():
                    results[name].append(hammer(port, tokens, args.requests, args.clients))
        finally:
            for process, _port in servers.values():
                process.terminate()
                process.wait(10)
    bare, streaming = max(results["bare"]), max(results["streaming"])
    print(
        f"database: {args.database}, {args.requests} requests x {args.rounds} rounds, {args.clients} keep-alive clients, gunicorn {' '.join(GUNICORN)}"
    )
    print(f"bare Flask redirect     {bare:>8,.0f} req/s")
    print(f"streaming /j/{{token}}    {streaming:>8,.0f} req/s   ratio {streaming / bare:.2f} of the bare redirect")
    print("all rounds:", {key: [round(v) for v in values] for key, values in results.items()})


if __name__ == "__main__":
    main()
