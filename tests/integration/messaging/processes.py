"""Entry points the fault tests run as real processes: `python -m tests.integration.messaging.processes relay|consumer …`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time

from sqlalchemy import Column, Integer, MetaData, String, Table

from shared.db import make_engine, make_session_factory
from shared.messaging.consumer import Consumer
from shared.messaging.relay import OutboxRelay
from tests.integration.messaging.conftest import EVENT_TYPE, RETRY_DELAYS, SERVICE, record_effect


def _relay(args) -> None:
    engine = make_engine(args.database_url)
    relay = OutboxRelay(
        engine, args.amqp_url, producer="streaming", batch_size=args.batch, max_in_flight=args.batch * 2, lease_seconds=args.lease
    )
    if args.throttle:
        # Slow the claims down so a test can kill the process in the middle of a run.
        claim = relay.store.claim
        relay.store.claim = lambda limit, **kw: (time.sleep(args.throttle), claim(limit, **kw))[1]
    signal.signal(signal.SIGTERM, lambda *_: relay.stop())
    relay.run()


def _consumer(args) -> None:
    engine = make_engine(args.database_url)
    effects = Table(
        "effects", MetaData(), Column("id", Integer, primary_key=True), Column("registration_id", String(64)), Column("attempt", Integer)
    )

    def slow_effect(event, ctx):
        print(f"handling {event.data['registration_id']}", flush=True)
        time.sleep(args.handler_seconds)
        record_effect(event, ctx)

    consumer = Consumer(
        SERVICE, args.amqp_url, {EVENT_TYPE: slow_effect}, make_session_factory(engine), deps=effects, retry_delays=RETRY_DELAYS
    )
    signal.signal(signal.SIGTERM, lambda *_: consumer.stop())
    consumer.run()
    print("consumer stopped", flush=True)


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO)
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["relay", "consumer"])
    parser.add_argument("database_url")
    parser.add_argument("amqp_url")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--lease", type=float, default=2.0)
    parser.add_argument("--throttle", type=float, default=0.0)
    parser.add_argument("--handler-seconds", type=float, default=0.0)
    args = parser.parse_args(argv)
    (_relay if args.role == "relay" else _consumer)(args)


if __name__ == "__main__":
    main(sys.argv[1:])
