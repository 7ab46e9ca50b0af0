"""Queries of the reminders table: arm from a meeting snapshot, claim the next due one, close it; callers own the transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import and_, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from services.notification.domain.reminders import ARMED, CANCELLED, OPEN, SENDING, plan_reminders, withdrawn
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


def next_due(session: Session, now: dt.datetime) -> Reminder | None:
    """The earliest reminder due (or whose sender's lease ran out), locked for this transaction.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so several workers each take a different one. SQLite
    ignores the clause; there every unit of work is a BEGIN IMMEDIATE writer, which serializes claims.
    """
    claimable = or_(and_(Reminder.status == ARMED, Reminder.due_at <= now), and_(Reminder.status == SENDING, Reminder.claimed_until < now))
    query = select(Reminder).where(claimable).order_by(Reminder.due_at).limit(1).with_for_update(skip_locked=True)
    return session.scalars(query).first()


def claim(session: Session, reminder_id: str, now: dt.datetime, lease_until: dt.datetime) -> None:
    session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(
            status=SENDING,
            claimed_until=lease_until,
            started_at=func.coalesce(Reminder.started_at, now),
            passes=Reminder.passes + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def extend_lease(session: Session, reminder_id: str, now: dt.datetime, lease_until: dt.datetime) -> None:
    session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == SENDING)
        .values(claimed_until=lease_until, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def close(session: Session, reminder_id: str, status: str, now: dt.datetime) -> None:
    session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(status=status, claimed_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def is_open(session: Session, reminder_id: str) -> bool:
    return session.scalar(select(Reminder.status).where(Reminder.id == reminder_id)) == SENDING


def confirmed_contacts(session: Session, event_id: str) -> list[Contact]:
    """Who a reminder goes to: the meeting's confirmed participants, in a stable order."""
    return list(
        session.scalars(
            select(Contact).where(Contact.event_id == event_id, Contact.status == "confirmed").order_by(Contact.registration_id)
        )
    )
