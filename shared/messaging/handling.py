"""What a consumer does with one message, apart from the broker: parse, validate, deduplicate, handle, decide.

The outcome (ack, retry or dead-letter, with a reason) is returned to the runner in consumer.py,
which is the only part that talks to RabbitMQ.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.correlation import reset_correlation_id, set_correlation_id
from shared.db import read_only
from shared.messaging.errors import PermanentError, TransientError
from shared.messaging.outbox import processed_rows, utcnow
from shared.schemas.envelope import SCHEMA_VERSION, EnvelopeSchema
from shared.schemas.events import load_payload

log = logging.getLogger(__name__)
_envelope_schema = EnvelopeSchema()

ACK, RETRY, DEAD = "ack", "retry", "dead"


@dataclass(frozen=True)
class Event:
    """A validated bus event as a handler sees it; `data` is the loaded payload (datetimes parsed)."""

    id: str
    type: str
    version: int
    occurred_at: dt.datetime
    producer: str
    correlation_id: str | None
    data: dict[str, Any]
    attempt: int = 1


@dataclass
class HandlerContext:
    """What a handler gets besides the event.

    `session` is the handler's unit of work: the runner adds the processed-event mark to it and
    commits, then acks. It begins lazily, so a handler that does slow I/O first (sending a mail)
    does not hold a database write lock meanwhile. `session_factory` opens independent sessions
    (e.g. to commit a delivery attempt that must survive a retry). `deps` is what the worker's
    main() passed (mail and SMS channels, settings).
    """

    session: Session
    session_factory: Callable[[], Session]
    deps: Any = None


Handler = Callable[[Event, HandlerContext], None]


@dataclass(frozen=True)
class Outcome:
    action: str  # ack | retry | dead
    reason: str = ""
    error: str = ""
    retry_after: float | None = None
    event_type: str | None = None
    event_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_message(body: bytes, handlers: Mapping[str, Handler], attempt: int) -> Event | Outcome:
    """Turn a raw body into an Event, or into a dead-letter Outcome naming why it can never be handled."""
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return Outcome(DEAD, "bad-json", str(exc)[:500])
    if not isinstance(raw, dict):
        return Outcome(DEAD, "invalid-envelope", "message body is not a JSON object")
    try:
        envelope = _envelope_schema.load(raw)
    except ValidationError as exc:
        return Outcome(DEAD, "invalid-envelope", json.dumps(exc.messages)[:500])
    event_type, event_id = envelope["type"], str(envelope["id"])
    if envelope["version"] > SCHEMA_VERSION:
        return Outcome(
            DEAD, "unsupported-version", f"version {envelope['version']} > {SCHEMA_VERSION}", event_type=event_type, event_id=event_id
        )
    if event_type not in handlers:
        return Outcome(DEAD, "unknown-type", f"no handler for {event_type!r}", event_type=event_type, event_id=event_id)
    try:
        data = load_payload(event_type, envelope["data"])
    except (ValidationError, KeyError) as exc:
        detail = exc.messages if isinstance(exc, ValidationError) else str(exc)
        return Outcome(DEAD, "invalid-payload", json.dumps(detail)[:500], event_type=event_type, event_id=event_id)
    return Event(
        id=event_id,
        type=event_type,
        version=envelope["version"],
        occurred_at=envelope["occurred_at"],
        producer=envelope["producer"],
        correlation_id=envelope.get("correlation_id"),
        data=data,
        attempt=attempt,
    )


def already_processed(session_factory: Callable[[], Session], event_id: str) -> bool:
    with read_only(session_factory) as session:
        return session.execute(select(processed_rows.c.event_id).where(processed_rows.c.event_id == event_id)).first() is not None


def process_message(
    body: bytes,
    *,
    attempt: int,
    handlers: Mapping[str, Handler],
    session_factory: Callable[[], Session],
    deps: Any = None,
) -> Outcome:
    """Handle one message at most once per service and say what the runner must do with it."""
    parsed = parse_message(body, handlers, attempt)
    if isinstance(parsed, Outcome):
        return parsed
    event = parsed
    token = set_correlation_id(event.correlation_id)
    try:
        return _run_handler(event, handlers[event.type], session_factory, deps)
    finally:
        reset_correlation_id(token)


def _run_handler(event: Event, handler: Handler, session_factory: Callable[[], Session], deps: Any) -> Outcome:
    ids = {"event_type": event.type, "event_id": event.id}
    if already_processed(session_factory, event.id):
        return Outcome(ACK, "duplicate", **ids)
    session = session_factory()
    try:
        handler(event, HandlerContext(session=session, session_factory=session_factory, deps=deps))
        session.execute(insert(processed_rows).values(event_id=event.id, event_type=event.type, processed_at=utcnow()))
        session.commit()
        return Outcome(ACK, "handled", **ids)
    except IntegrityError as exc:
        session.rollback()
        # A concurrent delivery of the same event won the race to the processed mark: its effect stands.
        if already_processed(session_factory, event.id):
            return Outcome(ACK, "duplicate", **ids)
        log.warning("handler of %s %s hit an integrity error: %s", event.type, event.id, exc.orig)
        return Outcome(RETRY, "transient", str(exc.orig)[:500], **ids)
    except PermanentError as exc:
        session.rollback()
        return Outcome(DEAD, exc.reason, str(exc)[:500], **ids)
    except TransientError as exc:
        session.rollback()
        return Outcome(RETRY, "transient", str(exc)[:500], retry_after=exc.retry_after, **ids)
    except Exception as exc:  # noqa: BLE001 - an unexpected failure (database down, a bug) is retried, then dead-lettered
        session.rollback()
        log.exception("handler of %s %s failed unexpectedly", event.type, event.id)
        return Outcome(RETRY, "error", f"{type(exc).__name__}: {exc}"[:500], **ids)
    finally:
        session.close()
