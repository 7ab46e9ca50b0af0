"""Purge of records past their retention: idempotent replies (2 days), processed-event marks and sent outbox rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from services.registration.models import IdempotentResponse
from shared.db import utcnow
from shared.db.writers import writing
from shared.retention import cutoffs, purge_messaging


def purge_expired(session_factory, retention_days: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what registration keeps no longer; return the count per kind of record.

    Registrations themselves are the organizer's record of the meeting and are not purged here.
    """
    limits = cutoffs(now or utcnow(), retention_days)
    with writing(session_factory) as session:
        replies = session.execute(delete(IdempotentResponse).where(IdempotentResponse.created_at < limits.idempotent_replies)).rowcount
        return {"idempotent_replies": replies or 0, **purge_messaging(session, limits)}
