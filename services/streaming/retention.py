"""Purge of personal data RETENTION_DAYS after a meeting ended: the participants read model (names, emails, phones).

Links keep only token hashes and joins only registration ids, so they stay as the meeting's record.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from services.streaming.models import Meeting, Participant
from shared.db import unit_of_work, utcnow
from shared.retention import cutoffs, purge_messaging


def purge_expired(session_factory, retention_days: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what streaming keeps no longer; return the count per kind of record."""
    limits = cutoffs(now or utcnow(), retention_days)
    with unit_of_work(session_factory) as session:
        ended = select(Meeting.id).where(Meeting.ends_at < limits.meetings_ended_before)
        participants = session.execute(delete(Participant).where(Participant.event_id.in_(ended))).rowcount
        return {"participants": participants or 0, **purge_messaging(session, limits)}
