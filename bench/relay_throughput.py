"""Outbox relay throughput (committed rows → confirmed on the broker) against raw pika with pipelined confirms.

    python -m bench.relay_throughput [--events 20000] [--rounds 3] [--batch 1000]
    python -m bench.relay_throughput --cluster [--events 20000] [--rounds 3]

Each figure is measured in the same run as its ceiling, so the ratio survives a noisy machine.

--cluster: what replication costs. Starts a three-node RabbitMQ cluster and a lone node of the same
RabbitMQ with the same settings (tests/fixtures/cluster.py, private ports and data, torn down at
the end) and measures raw pika and the relay on PostgreSQL against each, rounds interleaved. The
queue is the layout's quorum queue in both: one member on the lone node, three in the cluster,
where a publish is confirmed only once a majority of nodes has written it. The relay gets the
cluster as RABBITMQ_URL would give it (every node, one picked at random per connection), so it
may publish through a follower that forwards to the leader, as in production.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pika
from sqlalchemy import MetaData, create_engine, text

from shared.db import make_engine, make_session_factory, unit_of_work
from shared.messaging.connection import node_parameters, open_blocking
from shared.messaging.outbox import build_envelope, define_messaging_tables, record_events
from shared.messaging.relay import publish_pending
from shared.messaging.topology import EXCHANGE, declare_topology

EVENT_TYPE = "stream.joined"


def sample_payload(i: int) -> dict:
    return {"registration_id": str(uuid.uuid4()), "event_id": "bench-meeting", "at": dt.datetime.now(dt.UTC), "channel_kind": "zoom"}


def raw_pika_ceiling(amqp_url: str, bodies: list[bytes], window: int = 5000) -> float:
    """Events/s of bare pika publishing with pipelined confirms, no database: the ceiling."""
    state = {"sent": 0, "acked": 0, "in_flight": collections.deque(), "start": 0.0, "end": 0.0}

    def on_open(connection):
        connection.channel(on_open_callback=on_channel)

    def on_channel(channel):
        state["channel"] = channel
        channel.confirm_delivery(ack_nack_callback=on_confirm, callback=lambda _f: pump())

    def pump():
        channel = state["channel"]
        if not state["start"]:
            state["start"] = time.perf_counter()
        while state["sent"] < len(bodies) and state["sent"] - state["acked"] < window:
            channel.basic_publish(
                EXCHANGE,
                EVENT_TYPE,
                bodies[state["sent"]],
                pika.BasicProperties(delivery_mode=2, message_id=str(state["sent"])),
                mandatory=True,
            )
            state["sent"] += 1

    def on_confirm(frame):
        tag = frame.method.delivery_tag
        state["acked"] = tag if frame.method.multiple else max(state["acked"], tag)
        if state["acked"] >= len(bodies):
            state["end"] = time.perf_counter()
            connection.close()
        else:
            pump()

    connection = pika.SelectConnection(
        pika.URLParameters(amqp_url.split(",")[0]), on_open_callback=on_open, on_close_callback=lambda c, r: c.ioloop.stop()
    )
    connection.ioloop.start()
    return len(bodies) / (state["end"] - state["start"])


def relay_rate(database_url: str, amqp_url: str, count: int, batch_size: int = 500) -> float:
    engine = make_engine(database_url)
    metadata = MetaData()
    define_messaging_tables(metadata)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        record_events(session, "streaming", [(EVENT_TYPE, sample_payload(i)) for i in range(count)])
    started = time.perf_counter()
    confirmed = publish_pending(engine, amqp_url, producer="streaming", timeout=300, batch_size=batch_size)
    elapsed = time.perf_counter() - started
    assert confirmed == count, f"relay confirmed {confirmed} of {count}"
    engine.dispose()
    return count / elapsed


def purge(amqp_url: str) -> None:
    connection = open_blocking(node_parameters(amqp_url, shuffle=False))
    channel = connection.channel()
    declare_topology(channel, (5, 30, 120, 600, 3600))
    channel.queue_purge("rakor.registration")
    connection.close()


def fresh_vhost() -> str:
    vhost = f"rakor-bench-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True, capture_output=True)
    return vhost


def fresh_pg_database(admin_url: str) -> str:
    name = f"rakor_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def cluster_main(args) -> None:
    """Single node against three-node cluster, same run (see the module docstring)."""
    from tests.fixtures.cluster import RabbitCluster

    workdir = Path(tempfile.mkdtemp(prefix="rakor-bench-cluster-"))
    bodies = [json.dumps(build_envelope("streaming", EVENT_TYPE, sample_payload(i))).encode() for i in range(args.events)]
    pg_url = fresh_pg_database(args.pg_admin_url)
    brokers = {}
    try:
        brokers["single node"] = RabbitCluster.start_new(workdir / "single", size=1)
        brokers["3-node cluster"] = RabbitCluster.start_new(workdir / "cluster", size=3)
        urls = {name: broker.new_vhost_url() for name, broker in brokers.items()}
        for url in urls.values():
            purge(url)
        results = collections.defaultdict(list)
        for round_no in range(args.rounds):
            # Which broker goes first alternates: a neighbour's burst then hurts each side alike.
            for name in list(urls)[:: 1 if round_no % 2 == 0 else -1]:
                url = urls[name]
                results[(name, "raw pika")].append(raw_pika_ceiling(url, bodies))
                purge(url)
                results[(name, "relay on postgresql")].append(relay_rate(pg_url, url, args.events, args.batch))
                purge(url)
    finally:
        for broker in brokers.values():
            broker.stop()
    print(f"events per run: {args.events}, rounds: {args.rounds}, relay batch {args.batch}, quorum queues")
    print(f"{'broker':<16}{'path':<22}{'best events/s':>14}{'of single (best)':>18}{'of single (median of rounds)':>30}")
    for name in brokers:
        for path in ("raw pika", "relay on postgresql"):
            best = max(results[(name, path)])
            single = results[("single node", path)]
            per_round = sorted(mine / theirs for mine, theirs in zip(results[(name, path)], single, strict=False))
            print(f"{name:<16}{path:<22}{best:>14,.0f}{best / max(single):>18.2f}{statistics.median(per_round):>30.2f}")
    print("all rounds:", {f"{k[0]} / {k[1]}": [round(v) for v in values] for k, values in results.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000, help="RELAY_BATCH_SIZE")
    parser.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--cluster", action="store_true", help="a 3-node cluster against a single node, same run")
    args = parser.parse_args()
    if args.cluster:
        cluster_main(args)
        return
    vhost = fresh_vhost()
    amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    purge(amqp_url)
    bodies = [json.dumps(build_envelope("streaming", EVENT_TYPE, sample_payload(i))).encode() for i in range(args.events)]
    workdir = Path(tempfile.mkdtemp(prefix="rakor-bench-"))
    pg_url = fresh_pg_database(args.pg_admin_url)
    results = collections.defaultdict(list)
    try:
        for round_no in range(args.rounds):
            # Interleaved, so a noisy neighbour hurts ceiling and relay alike.
            results["ceiling"].append(raw_pika_ceiling(amqp_url, bodies))
            purge(amqp_url)
            results["sqlite"].append(relay_rate(f"sqlite:///{workdir}/relay-{round_no}.db", amqp_url, args.events, args.batch))
            purge(amqp_url)
            results["postgresql"].append(relay_rate(pg_url, amqp_url, args.events, args.batch))
            purge(amqp_url)
    finally:
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True)
    ceiling = max(results["ceiling"])
    print(f"events per run: {args.events}, rounds: {args.rounds} (best of each), relay batch {args.batch}")
    print(f"{'path':<28}{'events/s':>12}{'of ceiling':>12}")
    print(f"{'raw pika, pipelined confirms':<28}{ceiling:>12,.0f}{'1.00':>12}")
    for name in ("sqlite", "postgresql"):
        best = max(results[name])
        print(f"{'relay on ' + name:<28}{best:>12,.0f}{best / ceiling:>12.2f}")
    print("all rounds:", {key: [round(v) for v in values] for key, values in results.items()})


if __name__ == "__main__":
    main()
