"""Purge of personal data RETENTION_DAYS after a meeting ended: contacts (with join links), digest items and rendered contexts.

A notification row stays as the record that something was sent (kind, channel, status, attempts),
with its recipient and the context it was rendered from removed.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete, select, update

from services.notification.models import Contact, DigestItem, Meeting, Notification
from shared.db import unit_of_work, utcnow
from shared.retention import Cutoffs, cutoffs, purge_messaging

PURGED = "(purged)"


def ended_meetings(session, before: dt.datetime) -> list[str]:
    """Ids of the meetings whose snapshot says they ended before `before`."""
    ended = []
    for meeting_id, snapshot in session.execute(select(Meeting.id, Meeting.snapshot)):
        ends_at = (json.loads(snapshot) or {}).get("ends_at")
        if ends_at and dt.datetime.fromisoformat(ends_at) < before:
            ended.append(meeting_id)
    return ended


def purge_personal_data(session, limits: Cutoffs) -> dict[str, int]:
    event_ids = ended_meetings(session, limits.meetings_ended_before)
    if not event_ids:
        return {"contacts": 0, "notifications": 0, "digest_items": 0}
    contacts = session.execute(delete(Contact).where(Contact.event_id.in_(event_ids))).rowcount
    # Names and positions kept for an agency's digest (sent or still waiting) go with the contacts.
    items = session.execute(delete(DigestItem).where(DigestItem.event_id.in_(event_ids))).rowcount
    notifications = session.execute(
        update(Notification)
        .where(Notification.event_id.in_(event_ids), Notification.recipient != PURGED)
        .values(recipient=PURGED, context="{}")
    ).rowcount
    return {"contacts": contacts or 0, "notifications": notifications or 0, "digest_items": items or 0}


def purge_expired(session_factory, retention_days: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what notification keeps no longer; return the count per kind of record."""
    limits = cutoffs(now or utcnow(), retention_days)
    with unit_of_work(session_factory) as session:
        return {**purge_personal_data(session, limits), **purge_messaging(session, limits, publishes=False)}
