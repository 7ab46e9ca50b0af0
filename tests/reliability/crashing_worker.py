"""A consumer process whose handler crashes the interpreter on one message (for the poison-crash fault test).

    python -m tests.reliability.crashing_worker AMQP_URL SQLITE_PATH

It runs the real consumer runner (shared.messaging.consumer) on the registration service's queue,
one message at a time. A `stream.joined` event for registration `racun-segfault` dereferences a
null pointer through ctypes: a segmentation fault, as a buggy native library (a PDF or image
decoder) would cause, not a Python exception the runner could catch. Every other event is recorded
as a row in `effects`, so the test counts how often each took effect.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from shared.db import make_engine, make_session_factory
from shared.messaging.consumer import Consumer
from shared.messaging.outbox import define_messaging_tables

POISON = "racun-segfault"
SERVICE, EVENT_TYPE = "registration", "stream.joined"


def main() -> None:
    amqp_url, database_path = sys.argv[1], sys.argv[2]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    metadata = MetaData()
    define_messaging_tables(metadata)
    effects = Table("effects", metadata, Column("id", Integer, primary_key=True), Column("registration_id", String(64)))
    engine = make_engine(f"sqlite:///{database_path}")
    metadata.create_all(engine)

    def handle(event, ctx) -> None:
        if event.data["registration_id"] == POISON:
            print("crashing on the poison message", flush=True)
            ctypes.string_at(0)  # SIGSEGV
        ctx.session.execute(insert(effects).values(registration_id=event.data["registration_id"]))

    Consumer(SERVICE, amqp_url, {EVENT_TYPE: handle}, make_session_factory(engine), prefetch=1, concurrency=1).run()


if __name__ == "__main__":
    main()
