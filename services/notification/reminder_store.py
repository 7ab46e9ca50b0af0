"""Queries of the reminders table: arm from a meeting snapshot, claim the next due one (REMINDERS), close it; callers own the transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from services.notification.claim_table import ClaimTable
from services.notification.domain.reminders import ARMED, CANCELLED, OPEN, plan_reminders, withdrawn
from services.notification.models import Contact, Reminder
from shared.db.inserts import dialect_insert


def arm_reminders(session: Session, meeting: dict[str, Any], now: dt.datetime) -> None:
    """Bring the meeting's reminder rows in line with its snapshot: new moments armed, moments no longer asked for cancelled."""
    planned = plan_reminders(meeting, now)
    table = Reminder.__table__
    open_rows = session.execute(
        select(table.c.reminder_key, table.c.due_at).where(table.c.event_id == meeting["id"], table.c.status.in_(OPEN))
    ).all()
    gone = withdrawn([(key, due_at) for key, due_at in open_rows], planned)
    if gone:
        session.execute(
            update(table)
            .where(
                table.c.event_id == meeting["id"], table.c.status.in_(OPEN), tuple_(table.c.reminder_key, table.c.due_at).in_(list(gone))
            )
            .values(status=CANCELLED, claimed_until=None, updated_at=now)
        )
    if not planned:
        return
    rows = [
        {
            "id": str(uuid.uuid4()),
            "event_id": meeting["id"],
            "reminder_key": r.key,
            "due_at": r.due_at,
            "status": r.status,
            "passes": 0,
            "created_at": now,
            "updated_at": now,
        }
        for r in planned
    ]
    session.execute(
        dialect_insert(session)(table).values(rows).on_conflict_do_nothing(index_elements=["event_id", "reminder_key", "due_at"])
    )
    # Moved away and back again: the moment withdrawn before is wanted again (if still ahead).
    again = [(r.key, r.due_at) for r in planned if r.status == ARMED]
    if again:
        session.execute(
            update(table)
            .where(table.c.event_id == meeting["id"], table.c.status == CANCELLED, tuple_(table.c.reminder_key, table.c.due_at).in_(again))
            .values(status=ARMED, updated_at=now)
        )


# Only the first claim stamps started_at: decide() finishes a fan-out begun in time, but starts none late.
REMINDERS = ClaimTable(Reminder, order=(Reminder.due_at,), due=lambda now: Reminder.due_at <= now, first_claimed_at="started_at")


def confirmed_contacts(session: Session, event_id: str) -> list[Contact]:
    """Who a reminder goes to: the meeting's confirmed participants, in a stable order."""
    return list(
        session.scalars(
            select(Contact).where(Contact.event_id == event_id, Contact.status == "confirmed").order_by(Contact.registration_id)
        )
    )
