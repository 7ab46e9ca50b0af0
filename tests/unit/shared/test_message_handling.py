"""parse_message and process_message: what a consumer does with one body, on a SQLite file, without a broker."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from shared.db import make_engine, make_session_factory
from shared.messaging.errors import PermanentError, TransientError
from shared.messaging.handling import ACK, DEAD, RETRY, Event, Outcome, parse_message, process_message
from shared.messaging.outbox import define_messaging_tables, processed_rows
from shared.schemas.envelope import SCHEMA_VERSION

metadata = MetaData()
define_messaging_tables(metadata)
# A table standing for whatever a service's handler writes (a delivery, a link).
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String(200), nullable=False))

CHECKED_IN = {"registration_id": "reg-0001", "event_id": "evt-rakor-humas-2021", "at": "2021-12-01T08:47:00+07:00"}


def make_body(**overrides) -> bytes:
    """A valid registration.checked_in message as the relay publishes it."""
    envelope = {
        "id": str(uuid.uuid4()),
        "type": "registration.checked_in",
        "version": SCHEMA_VERSION,
        "occurred_at": "2021-12-01T08:47:01+07:00",
        "producer": "registration",
        "correlation_id": "c0ffee",
        "data": dict(CHECKED_IN),
    }
    envelope.update(overrides)
    return json.dumps(envelope).encode()


def ignore(event, ctx):
    """A handler that does nothing."""


HANDLERS = {"registration.checked_in": ignore}


@pytest.fixture
def session_factory(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'handling.db'}")
    metadata.create_all(engine)
    yield make_session_factory(engine)
    engine.dispose()


def count(session_factory, table) -> int:
    with session_factory() as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


# --- parse_message ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"{not json", "bad-json"),
        (b"", "bad-json"),
        (b"\xff\xfe\x00garbage", "bad-json"),
        (b"[1, 2, 3]", "invalid-envelope"),
        (b'"registration.checked_in"', "invalid-envelope"),
        (b"null", "invalid-envelope"),
        (b"{}", "invalid-envelope"),
        (make_body(id="not-a-uuid"), "invalid-envelope"),
        (make_body(occurred_at="2021-12-01T08:47:01"), "invalid-envelope"),
        (make_body(producer="billing"), "invalid-envelope"),
        (make_body(data="checked in"), "invalid-envelope"),
        (make_body(version=SCHEMA_VERSION + 1), "unsupported-version"),
        (make_body(version=SCHEMA_VERSION + 1, type="registration.renamed"), "unsupported-version"),
        (make_body(type="registration.confirmed"), "unknown-type"),
        (make_body(type="no.such.type"), "unknown-type"),
        (make_body(data={"registration_id": "reg-0001"}), "invalid-payload"),
        (make_body(data={**CHECKED_IN, "at": "tadi pagi"}), "invalid-payload"),
    ],
)
def test_unusable_messages_are_dead_lettered_with_the_reason(body, reason):
    outcome = parse_message(body, HANDLERS, attempt=1)
    assert isinstance(outcome, Outcome)
    assert (outcome.action, outcome.reason) == (DEAD, reason)
    assert outcome.error


def test_dead_letter_outcome_names_the_event_once_the_envelope_is_readable():
    event_id = str(uuid.uuid4())
    outcome = parse_message(make_body(id=event_id, type="no.such.type"), HANDLERS, attempt=1)
    assert (outcome.event_type, outcome.event_id) == ("no.such.type", event_id)
    assert outcome.error == "no handler for 'no.such.type'"


def test_unsupported_version_says_which_versions():
    outcome = parse_message(make_body(version=SCHEMA_VERSION + 1), HANDLERS, attempt=1)
    assert outcome.error == f"version {SCHEMA_VERSION + 1} > {SCHEMA_VERSION}"


def test_handled_type_without_a_payload_schema_is_an_invalid_payload():
    outcome = parse_message(make_body(type="registration.renamed"), {"registration.renamed": ignore}, attempt=1)
    assert (outcome.action, outcome.reason) == (DEAD, "invalid-payload")


def test_valid_message_becomes_an_event_with_a_loaded_payload():
    event_id = str(uuid.uuid4())
    body = make_body(id=event_id, data={**CHECKED_IN, "kiosk": "lobby"})
    event = parse_message(body, HANDLERS, attempt=3)
    assert isinstance(event, Event)
    assert (event.id, event.type, event.version, event.producer, event.correlation_id, event.attempt) == (
        event_id,
        "registration.checked_in",
        SCHEMA_VERSION,
        "registration",
        "c0ffee",
        3,
    )
    assert event.occurred_at.isoformat() == "2021-12-01T08:47:01+07:00"
    assert event.data["at"].isoformat() == "2021-12-01T08:47:00+07:00"
    assert "kiosk" not in event.data


def test_older_versions_are_still_read():
    assert isinstance(parse_message(make_body(version=1), HANDLERS, attempt=1), Event)


# --- process_message --------------------------------------------------------------------------------


def process(body, session_factory, handler, attempt=1, deps=None) -> Outcome:
    return process_message(body, attempt=attempt, handlers={"registration.checked_in": handler}, session_factory=session_factory, deps=deps)


def test_event_is_handled_once_and_acked_as_duplicate_the_second_time(session_factory):
    calls = []

    def record(event, ctx):
        calls.append(event.id)
        ctx.session.execute(insert(notes).values(text=f"checked in {event.data['registration_id']}"))

    body = make_body()
    first = process(body, session_factory, record)
    second = process(body, session_factory, record)
    assert (first.action, first.reason) == (ACK, "handled")
    assert (second.action, second.reason) == (ACK, "duplicate")
    assert len(calls) == 1
    assert count(session_factory, notes) == 1


def test_handler_gets_its_session_factory_and_deps(session_factory):
    seen = {}

    def look(event, ctx):
        seen.update(deps=ctx.deps, factory=ctx.session_factory)

    process(make_body(), session_factory, look, deps={"mailer": "smtp"})
    assert seen == {"deps": {"mailer": "smtp"}, "factory": session_factory}


@pytest.mark.parametrize(
    "error, action, reason, retry_after",
    [
        (TransientError("gateway answered 503", retry_after=42.0), RETRY, "transient", 42.0),
        (TransientError("timeout"), RETRY, "transient", None),
        (PermanentError("no such recipient"), DEAD, "permanent", None),
        (RuntimeError("bug in the handler"), RETRY, "error", None),
        (KeyError("meeting"), RETRY, "error", None),
    ],
)
def test_handler_failures_are_retried_or_dead_lettered(session_factory, error, action, reason, retry_after):
    def fail(event, ctx):
        raise error

    outcome = process(make_body(), session_factory, fail)
    assert (outcome.action, outcome.reason, outcome.retry_after) == (action, reason, retry_after)
    assert outcome.event_type == "registration.checked_in"


def test_unexpected_error_names_the_exception(session_factory):
    def fail(event, ctx):
        raise ValueError("venue missing")

    assert process(make_body(), session_factory, fail).error == "ValueError: venue missing"


@pytest.mark.parametrize("error", [TransientError("later"), PermanentError("never"), RuntimeError("bug")])
def test_handler_writes_are_rolled_back_and_the_event_not_marked_on_failure(session_factory, error):
    def write_then_fail(event, ctx):
        ctx.session.execute(insert(notes).values(text="half done"))
        ctx.session.flush()
        raise error

    body = make_body()
    process(body, session_factory, write_then_fail)
    assert count(session_factory, notes) == 0
    assert count(session_factory, processed_rows) == 0
    # Not marked, so the retry runs the handler again and succeeds.
    assert process(body, session_factory, ignore, attempt=2).reason == "handled"


def test_writes_of_an_independent_session_survive_a_handler_failure(session_factory):
    def attempt_then_fail(event, ctx):
        with ctx.session_factory() as own:
            own.execute(insert(notes).values(text="attempt 1 failed"))
            own.commit()
        raise TransientError("gateway down")

    assert process(make_body(), session_factory, attempt_then_fail).action == RETRY
    assert count(session_factory, notes) == 1


def test_integrity_error_in_handler_is_retried_not_acked(session_factory):
    def duplicate_key(event, ctx):
        ctx.session.execute(insert(notes).values(id=1, text="a"))
        ctx.session.execute(insert(notes).values(id=1, text="b"))

    outcome = process(make_body(), session_factory, duplicate_key)
    assert (outcome.action, outcome.reason) == (RETRY, "transient")
    assert count(session_factory, notes) == 0


def test_dead_messages_never_reach_the_handler(session_factory):
    calls = []
    outcome = process(b"{not json", session_factory, lambda event, ctx: calls.append(event))
    assert (outcome.action, outcome.reason, calls) == (DEAD, "bad-json", [])
