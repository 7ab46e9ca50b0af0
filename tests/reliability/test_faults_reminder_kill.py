"""The notification worker SIGKILLed in the middle of a 2,000-recipient reminder: each person gets it once.

The meeting's 2,000 confirmed contacts are written through the same store functions the bus handlers
use (a registration.confirmed per person would mail 2,000 confirmations first; the fault under test
is the reminder fan-out). The reminder is then armed a few seconds ahead by a new meeting snapshot.
After the kill, two workers are started: the one that takes the reminder over once its lease has run
out sends only what is still unsent, the other finds it claimed.

Duplicate bound: a mail the SMTP server accepted but whose outcome the killed worker had not written
yet is sent again, so at most one per fan-out thread (SMTP_POOL_SIZE, 8 here).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from services.notification import store
from services.notification.models import Reminder
from shared.db import make_engine, make_session_factory, migrate, read_only, unit_of_work
from shared.schemas.events import load_payload
from tests.factories.notification import make_participant, make_registration, make_upcoming_meeting
from tests.integration.notification.conftest import notification_env
from tests.reliability.conftest import mails_by_recipient, wait_until

pytestmark = pytest.mark.slow

RECIPIENTS = 2000
POOL = 8
MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "notification" / "migrations"


def _seed(session_factory, meeting: dict, count: int) -> list[str]:
    """The meeting and `count` confirmed in-person participants without a phone; returns their addresses."""
    now = dt.datetime.now(dt.UTC)
    emails = []
    with unit_of_work(session_factory) as session:
        store.save_meeting(session, load_payload("event.created", meeting), now)
        for n in range(count):
            participant = make_participant(phone=None, email=f"peserta{n:04d}.luring@humas.go.id", full_name=f"Peserta Luring {n}")
            registration = load_payload("registration.confirmed", make_registration(meeting=meeting, participant=participant))
            store.save_contact(session, registration, status="confirmed", occurred_at=now, now=now)
            emails.append(participant["email"])
    return emails


def _arm(session_factory, meeting: dict, due_in: float) -> None:
    """A new snapshot of the meeting whose one reminder falls `due_in` seconds from now."""
    starts = dt.datetime.fromisoformat(meeting["starts_at"])
    before = int((starts - dt.datetime.now(dt.UTC)).total_seconds() - due_in)
    with unit_of_work(session_factory) as session:
        store.save_meeting(
            session,
            load_payload("event.updated", {**meeting, "sequence": 1, "reminders": [{"before": f"PT{before}S"}]}),
            dt.datetime.now(dt.UTC),
        )


def _reminder_statuses(session_factory) -> list[str]:
    with read_only(session_factory) as session:
        return list(session.scalars(select(Reminder.status)))


def test_worker_killed_mid_reminder_fan_out_reminds_everyone_once_with_at_most_a_pool_of_duplicates(
    start_process, database_url, amqp_url, bus, smtp_server, tmp_path
):
    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    session_factory = make_session_factory(engine)
    meeting = make_upcoming_meeting(30 * 60, [])
    emails = _seed(session_factory, meeting, RECIPIENTS)
    env = notification_env(database_url, tmp_path, RABBITMQ_URL=amqp_url, SMTP_POOL_SIZE=str(POOL), **smtp_server.env())
    argv = ["python", "-m", "services.notification.worker"]
    worker = start_process(argv, env=env)
    _arm(session_factory, meeting, due_in=3)

    wait_until(lambda: len(smtp_server.messages) >= 300, 120, "the first 300 reminders")
    worker.kill()
    sent_before_kill = len(smtp_server.messages)
    started = time.monotonic()
    start_process(argv, env=env)
    start_process(argv, env=env)

    wait_until(
        lambda: set(emails) <= set(mails_by_recipient(smtp_server)), 300, f"a reminder to each of {RECIPIENTS} participants", every=1
    )
    wait_until(lambda: _reminder_statuses(session_factory) == ["sent"], 60, "the reminder closed as sent")
    mails = mails_by_recipient(smtp_server)
    duplicates = sum(count - 1 for count in mails.values())
    print(
        f"FAULTS reminder worker SIGKILL: {RECIPIENTS} reminders due, killed after {sent_before_kill}, all mailed "
        f"{time.monotonic() - started:.0f} s after the restart, {sum(mails.values())} mails, {duplicates} duplicates"
    )
    assert set(mails) == set(emails)
    assert all(m.message["Subject"].startswith("Pengingat:") for m in smtp_server.messages)
    assert duplicates <= POOL
    engine.dispose()
