"""The transactional outbox: events are written in the producer's own transaction and published later by the relay."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text, column, insert, table
from sqlalchemy.orm import Session

from shared.correlation import get_correlation_id
from shared.db import utcnow
from shared.db.inserts import bulk_insert
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


OUTBOX_COLUMNS = ("event_id", "event_type", "body", "created_at")
# The one INSERT of an outbox row for code on a raw DB-API connection (streaming's join path on SQLite).
RAW_INSERT = f"INSERT INTO {OUTBOX_TABLE} ({', '.join(OUTBOX_COLUMNS)}) VALUES ({', '.join(':' + name for name in OUTBOX_COLUMNS)})"


def envelope(
    producer: str, event_type: str, data: dict[str, Any], *, occurred_at: str | None = None, correlation_id: str | None = None
) -> dict[str, Any]:
    """The one envelope builder; `data` is the payload in its JSON form, already validated (build_envelope validates)."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": SCHEMA_VERSION,
        "occurred_at": occurred_at or utcnow().isoformat(),
        "producer": producer,
        "correlation_id": correlation_id or get_correlation_id(),
        "data": data,
    }


def build_envelope(producer: str, event_type: str, data: dict[str, Any], *, correlation_id: str | None = None) -> dict[str, Any]:
    """An envelope whose payload has been validated against the shared schema of `event_type`."""
    return envelope(producer, event_type, dump_payload(event_type, data), correlation_id=correlation_id)


def outbox_row(event: dict[str, Any], created_at: Any) -> dict[str, Any]:
    """The outbox row (OUTBOX_COLUMNS) of an envelope."""
    return {"event_id": event["id"], "event_type": event["type"], "body": encode_body(event), "created_at": created_at}


_INSERT_ONE = insert(outbox_rows)


def write_envelopes(session: Session, envelopes: list[dict[str, Any]]) -> list[str]:
    """The one outbox writer: insert the envelopes in the caller's transaction, in order; return their ids.

    One row is one INSERT; more go in bulk (COPY on PostgreSQL, chunked executemany on SQLite), which
    is what makes the 10,000 events of a large publish fast.
    """
    now = utcnow()
    rows = [outbox_row(event, now) for event in envelopes]
    if len(rows) == 1:
        # One statement built once, its row as parameters: the compiled form is cached, where a
        # .values(**row) per call would build and key a new statement for every registration.
        session.execute(_INSERT_ONE, rows[0])
    else:
        bulk_insert(session, outbox_rows, OUTBOX_COLUMNS, rows)
    return [event["id"] for event in envelopes]


def record_event(session: Session, producer: str, event_type: str, data: dict[str, Any]) -> str:
    """Write one event into the outbox inside the caller's transaction; return its id.

    The payload is validated here, so a producer bug fails the request that caused it instead of
    reaching the bus and poisoning a consumer.
    """
    return write_envelopes(session, [build_envelope(producer, event_type, data)])[0]


def record_events(session: Session, producer: str, events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Write many events at once (validated one by one), in list order; return their ids."""
    return write_envelopes(session, [build_envelope(producer, event_type, data) for event_type, data in events])


def record_events_alike(session: Session, producer: str, event_type: str, first: dict[str, Any], rest: Iterable[dict[str, Any]]) -> int:
    """The fan-out form (10,000 stream.link_issued on a publish): many events of one type; return how many.

    `first` is a complete payload and is validated against the shared schema; every item of `rest`
    holds only the fields that differ from it, all of them plain strings or dicts of strings whose
    JSON form is the same as their schema dump. Validating 10,000 identical shapes one by one costs
    seconds; validating one and copying is exact for this shape and takes milliseconds.
    """
    head = build_envelope(producer, event_type, first)
    template, occurred_at, correlation_id = head["data"], head["occurred_at"], head["correlation_id"]
    copies = [
        envelope(producer, event_type, {**template, **changes}, occurred_at=occurred_at, correlation_id=correlation_id) for changes in rest
    ]
    return len(write_envelopes(session, [head, *copies]))


class Outbox:
    """record_event bound to one producer: `outbox.record(session, "registration.confirmed", data)`."""

    def __init__(self, producer: str):
        self.producer = producer

    def record(self, session: Session, event_type: str, data: dict[str, Any]) -> str:
        return record_event(session, self.producer, event_type, data)

    def record_many(self, session: Session, events: list[tuple[str, dict[str, Any]]]) -> list[str]:
        return record_events(session, self.producer, events)
