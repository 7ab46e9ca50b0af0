"""Sending due reminders: claim one, fan it out to the meeting's confirmed participants in batches, close it.

Runs in the worker's scheduler thread (scheduler.py). A reminder row is claimed under a lease that
each batch renews; its notifications reuse the once-only rows of the bus path (source = the
reminder's id), so a crash or a second worker never sends one person the same reminder twice over
a channel: whoever takes the reminder over after the lease inserts nothing already there and only
claims the rows still unsent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.notification import claiming, operations, store
from services.notification.courier import Courier
from services.notification.domain.claims import SENDING, SENT, Declined, retries_left, send_one_by_one
from services.notification.domain.delivery import DEAD
from services.notification.domain.messages import REMINDER, Recipient, plan_messages
from services.notification.domain.reminders import CANCEL, CANCELLED, SEND, SKIP, SKIPPED, decide
from services.notification.models import Reminder
from services.notification.reminder_store import REMINDERS, confirmed_contacts
from shared.db import read_only, unit_of_work, utcnow

log = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True)
class ClaimedReminder:
    id: str
    event_id: str
    key: str
    due_at: dt.datetime
    passes: int
    meeting: dict[str, Any]


def _admit(session: Session, row: Reminder, now: dt.datetime) -> ClaimedReminder | Declined:
    """Send the reminder only if its moment is not gone and the meeting still wants it."""
    meeting = store.load_meeting(session, row.event_id)
    action = decide(row.reminder_key, row.due_at, meeting, started=row.started_at is not None, now=now)
    if action == SEND:
        return ClaimedReminder(row.id, row.event_id, row.reminder_key, row.due_at, row.passes + 1, meeting)
    log.info("reminder %s of %s at %s: %s", row.reminder_key, row.event_id, row.due_at.isoformat(), action)
    return Declined({SKIP: SKIPPED, CANCEL: CANCELLED}[action])


def claim_next(session_factory: operations.SessionFactory, lease: dt.timedelta, now: dt.datetime) -> ClaimedReminder | None:
    """Take the next due reminder; the ones whose moment is gone or no longer wanted are closed on the way."""
    return claiming.take_next(session_factory, REMINDERS, lease, now, _admit)


def _extra(recipient: Recipient) -> dict[str, Any]:
    online = recipient.attendance_mode == "online"
    # Before stream.link_issued the online reminder says the link will follow.
    return {"join_url": recipient.join_url, "youtube_url": recipient.youtube_url, "link_pending": online and not recipient.join_url}


def _send_batch(
    session_factory, courier: Courier, reminder: ClaimedReminder, recipients: list[Recipient], lease: dt.timedelta, more_passes: bool
) -> bool:
    """Create and send one batch; False when the reminder was withdrawn meanwhile (moved, called off)."""
    now = utcnow()
    with unit_of_work(session_factory) as session:
        if not REMINDERS.is_claimed(session, reminder.id):
            return False
        REMINDERS.hold(session, reminder.id, now, now + lease)
        planned = plan_messages(REMINDER, recipients, reminder.meeting.get("channels"))
        rows = store.insert_claimed_once(
            session,
            [
                operations.notification_row(reminder.id, REMINDER, m, reminder.meeting, _extra(m.recipient), now, now + lease)
                for m in planned
            ],
        )
    operations.send_claims(
        session_factory, courier, [operations.claim_from_row(r) for r in rows], retries_left=more_passes, executor=courier.executor
    )
    return True


def send_reminder(session_factory, courier: Courier, reminder: ClaimedReminder, *, should_stop: Callable[[], bool] = lambda: False) -> str:
    """One pass over a claimed reminder; returns the reminder's status after it (sent, sending, or cancelled)."""
    lease = dt.timedelta(seconds=courier.channels.lease_seconds)
    more_passes = retries_left(reminder.passes)
    with read_only(session_factory) as session:
        recipients = [store.recipient_of(c) for c in confirmed_contacts(session, reminder.event_id)]
    for start in range(0, len(recipients), BATCH):
        if should_stop():
            # Left claimed: the lease runs out and this or another worker finishes the fan-out.
            return SENDING
        if not _send_batch(session_factory, courier, reminder, recipients[start : start + BATCH], lease, more_passes):
            return CANCELLED
    # Rows of an earlier pass: transient failures, or claims a crashed sender held past their lease.
    now = utcnow()
    with unit_of_work(session_factory) as session:
        leftovers = store.claim_sendable(session, reminder.id, now, now + lease)
    statuses = [
        status
        for status, _ in operations.send_claims(
            session_factory,
            courier,
            [operations.claim_from_row(r) for r in leftovers],
            retries_left=more_passes,
            executor=courier.executor,
        )
    ]
    if claiming.finish_pass(session_factory, REMINDERS, reminder.id, more_passes) == SENDING:
        return SENDING
    if DEAD in statuses:
        log.warning(
            "reminder %s of %s: %d notifications dead after %d passes",
            reminder.key,
            reminder.event_id,
            statuses.count(DEAD),
            reminder.passes,
        )
    return SENT


def send_due_reminders(
    session_factory, courier: Courier, *, should_stop: Callable[[], bool] = lambda: False, clock: Callable[[], dt.datetime] = utcnow
) -> int:
    """Send every reminder due now, one after another; returns how many were taken."""
    lease = dt.timedelta(seconds=courier.channels.lease_seconds)
    return send_one_by_one(
        lambda: claim_next(session_factory, lease, clock()),
        lambda reminder: send_reminder(session_factory, courier, reminder, should_stop=should_stop),
        _report,
        should_stop,
    )


def _report(reminder: ClaimedReminder, status: str) -> None:
    log.info(
        "reminder %s of %s (due %s), pass %d: %s", reminder.key, reminder.event_id, reminder.due_at.isoformat(), reminder.passes, status
    )
