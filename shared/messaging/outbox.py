"""The transactional outbox: events are written in the producer's own transaction and published later by the relay."""
from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text, column, insert, table
from sqlalchemy.orm import Session

from shared.correlation import get_correlation_id
from shared.db import utcnow
from shared.db.inserts import insert_chunked
from shared.schemas.envelope import SCHEMA_VERSION
from shared.schemas.events import dump_payload

OUTBOX_TABLE = "outbox"
PROCESSED_TABLE = "processed_events"


def define_messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add the outbox and processed-events tables to the metadata of a service that publishes (its Alembic migration creates them)."""
    outbox = Table(
        OUTBOX_TABLE,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("claimed_by", String(64), nullable=True),
        Column("claimed_until", DateTime(timezone=True), nullable=True),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Index(
            "ix_outbox_pending",
            "id",
            sqlite_where=column("sent_at").is_(None),
            postgresql_where=column("sent_at").is_(None),
        ),
    )
    return outbox, define_processed_table(metadata)


def define_processed_table(metadata: MetaData) -> Table:
    """Add the processed-events table alone, for a service that only consumes (notification publishes nothing)."""
    return Table(
        PROCESSED_TABLE,
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )


# Lightweight handles: record_event works for any service without knowing its MetaData.
outbox_rows = table(
    OUTBOX_TABLE,
    column("id"),
    column("event_id"),
    column("event_type"),
    column("body"),
    column("created_at"),
    column("claimed_by"),
    column("claimed_until"),
    column("sent_at"),
)
processed_rows = table(PROCESSED_TABLE, column("event_id"), column("event_type"), column("processed_at"))


# One compact encoder for every outbox body: json.dumps with options builds a new encoder per call,
# which shows on paths that write an event per request.
encode_body = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def build_envelope(producer: str, event_type: str, data: dict[str, Any], *, correlation_id: str | None = None) -> dict[str, Any]:
    """An envelope whose payload has been validated against the shared schema of `event_type`."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": SCHEMA_VERSION,
        "occurred_at": utcnow().isoformat(),
        "producer": producer,
        "correlation_id": correlation_id or get_correlation_id(),
        "data": dump_payload(event_type, data),
    }


def record_event(session: Session, producer: str, event_type: str, data: dict[str, Any]) -> str:
    """Write one event into the outbox inside the caller's transaction; return its id.

    The payload is validated here, so a producer bug fails the request that caused it instead of
    reaching the bus and poisoning a consumer.
    """
    envelope = build_envelope(producer, event_type, data)
    session.execute(
        insert(outbox_rows).values(
            event_id=envelope["id"],
            event_type=event_type,
            body=encode_body(envelope),
            created_at=utcnow(),
        )
    )
    return envelope["id"]


def record_events(session: Session, producer: str, events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Write many events in one executemany (e.g. 10,000 link_issued on publish); return their ids."""
    envelopes = [build_envelope(producer, event_type, data) for event_type, data in events]
    now = utcnow()
    rows = [
        {
            "event_id": envelope["id"],
            "event_type": envelope["type"],
            "body": encode_body(envelope),
            "created_at": now,
        }
        for envelope in envelopes
    ]
    insert_chunked(session, outbox_rows, rows)
    return [envelope["id"] for envelope in envelopes]


class Outbox:
    """record_event bound to one producer: `outbox.record(session, "registration.confirmed", data)`."""

    def __init__(self, producer: str):
        self.producer = producer

    def record(self, session: Session, event_type: str, data: dict[str, Any]) -> str:
        return record_event(session, self.producer, event_type, data)

    def record_many(self, session: Session, events: list[tuple[str, dict[str, Any]]]) -> list[str]:
        return record_events(session, self.producer, events)
