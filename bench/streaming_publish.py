"""Publishing personal links to 10,000 online participants: POST /publish until every stream.link_issued is confirmed.

    python -m bench.streaming_publish [--participants 10000] [--database sqlite|postgresql]

Target: under 10 s from the organizer's POST until the broker confirmed all events. The relay runs
as in production (OutboxRelay with pipelined confirms), started together with the POST.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import tempfile
import threading
import time
import uuid

import pika

from bench.harness import add_online_participants, pg_database
from services.streaming.api import EXTENSION
from services.streaming.app import create_app
from shared.messaging.relay import OutboxRelay
from shared.messaging.topology import EXCHANGE, declare_topology
from shared.settings import load_settings

ADMIN = "bench-admin-token-streaming"


def fresh_vhost() -> str:
    vhost = f"rakor-bench-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True, capture_output=True)
    return vhost


def counting_queue(amqp_url: str) -> tuple[pika.BlockingConnection, str]:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    declare_topology(channel, (5,))
    queue = channel.queue_declare("bench.streaming.link_issued", durable=False, exclusive=True).method.queue
    channel.queue_bind(queue, EXCHANGE, routing_key="stream.link_issued")
    return connection, queue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    vhost = fresh_vhost()
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    data_dir = tempfile.mkdtemp(prefix="rakor-bench-streaming-")
    pg_name = f"rakor_bench_streaming_{uuid.uuid4().hex[:8]}"
    database_url = pg_database(args.pg_admin_url, pg_name) if args.database == "postgresql" else f"sqlite:///{data_dir}/streaming.db"
    try:
        settings = load_settings(
            "streaming",
            environ={
                "RAKOR_ADMIN_TOKEN": ADMIN,
                "DATABASE_URL": database_url,
                "DATA_DIR": data_dir,
                "RABBITMQ_URL": amqp_url,
                "LOG_LEVEL": "WARNING",
            },
        )
        app = create_app(settings)
        engine = app.extensions[EXTENSION].session_factory.kw["bind"]
        client, headers = app.test_client(), {"Authorization": f"Bearer {ADMIN}"}
        event_id = str(uuid.uuid4())
        client.put(f"/v1/events/{event_id}/channels/zoom", json={"url": "https://us02web.zoom.us/j/81234567890"}, headers=headers)
        client.put(f"/v1/events/{event_id}/channels/youtube", json={"url": "https://www.youtube.com/watch?v=DitjenIKP21"}, headers=headers)
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as conn:
            add_online_participants(conn, event_id, args.participants, now, phone="+6281234567890")
        connection, queue = counting_queue(amqp_url)
        relay = OutboxRelay(engine, amqp_url, producer="streaming", batch_size=settings.relay_batch_size, poll_interval=0.05)
        relay_thread = threading.Thread(target=relay.run, daemon=True)

        started = time.perf_counter()
        relay_thread.start()
        response = client.post(f"/v1/events/{event_id}/publish", headers=headers)
        published = time.perf_counter() - started
        while relay.confirmed < args.participants and time.perf_counter() - started < 120:
            time.sleep(0.01)
        confirmed = time.perf_counter() - started
        relay.stop()
        relay_thread.join(10)
        on_broker = connection.channel().queue_declare(queue, passive=True).method.message_count
        connection.close()
        print(f"database: {args.database}, participants: {args.participants}")
        print(f"POST /publish: {response.status_code} issued={response.get_json()['issued']} in {published:.2f} s")
        print(f"all stream.link_issued confirmed by the broker after {confirmed:.2f} s (target < 10 s); in the tapped queue: {on_broker}")
        engine.dispose()
    finally:
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True)
        if args.database == "postgresql":
            pg_database(args.pg_admin_url, pg_name, drop=True)


if __name__ == "__main__":
    main()
