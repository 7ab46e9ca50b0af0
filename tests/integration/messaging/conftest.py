"""Fixtures for the messaging layer's tests: a database with the outbox, and an 'effects' table handlers write to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pika
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from shared.db import make_engine, make_session_factory, unit_of_work
from shared.messaging.outbox import define_messaging_tables, record_events
from shared.messaging.topology import dead_letter_queue_name, declare_topology, queue_name

SERVICE = "registration"  # a real subscriber of stream.joined: the tests drive its queue
EVENT_TYPE = "stream.joined"
RETRY_DELAYS = (0.3, 0.6)


@dataclass
class MessagingDb:
    engine: object
    session_factory: object
    outbox: Table
    processed: Table
    effects: Table

    def record(self, count: int, prefix: str = "r") -> list[str]:
        """Write `count` stream.joined events into the outbox; return their event ids."""
        at = dt.datetime.now(dt.UTC)
        events = [(EVENT_TYPE, {"registration_id": f"{prefix}{i}", "event_id": "meeting-1", "at": at}) for i in range(count)]
        with unit_of_work(self.session_factory) as session:
            return record_events(session, "streaming", events)

    def pending(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(self.outbox).where(self.outbox.c.sent_at.is_(None))).scalar_one()

    def effects_by_registration(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(self.effects.c.registration_id, func.count()).group_by(self.effects.c.registration_id)).all()
        return {registration_id: count for registration_id, count in rows}


def record_effect(event, ctx) -> None:
    """A handler whose effect is a row: counting rows shows how often an event took effect."""
    ctx.session.execute(insert(ctx.deps).values(registration_id=event.data["registration_id"], attempt=event.attempt))


@pytest.fixture
def messaging_db(database_url) -> MessagingDb:
    metadata = MetaData()
    outbox, processed = define_messaging_tables(metadata)
    effects = Table(
        "effects", metadata, Column("id", Integer, primary_key=True), Column("registration_id", String(64)), Column("attempt", Integer)
    )
    engine = make_engine(database_url)
    metadata.create_all(engine)
    yield MessagingDb(engine, make_session_factory(engine), outbox, processed, effects)
    engine.dispose()


def drain_queue(amqp_url: str, name: str) -> list[tuple[bytes, object]]:
    """Take every message now in queue `name`: (body, properties) pairs."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        taken = []
        while True:
            method, properties, body = channel.basic_get(name, auto_ack=True)
            if method is None:
                return taken
            taken.append((body, properties))
    finally:
        connection.close()


@pytest.fixture
def broker(amqp_url):
    """The test vhost with the whole topology declared and this service's queues emptied."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    declare_topology(channel, RETRY_DELAYS)
    for name in (queue_name(SERVICE), dead_letter_queue_name(SERVICE)):
        channel.queue_purge(name)
    connection.close()
    return amqp_url
