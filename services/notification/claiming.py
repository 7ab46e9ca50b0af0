"""Taking the next row of a claim table and closing or holding it after a pass, each in its own unit of work.

Shared by the reminders and the agency digests: a row is claimed under a lease, its messages are
notification rows whose source is the row's id, so the unique (source, channel, recipient) key sends
each once however many workers run and however often the row is claimed again after a crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from services.notification import store
from services.notification.claim_table import ClaimTable
from services.notification.domain.claims import RETRY_AFTER, SENDING, Claimed, Declined, status_after_pass
from shared.db import unit_of_work, utcnow


def take_next(
    session_factory: Callable[[], Session],
    table: ClaimTable,
    lease: dt.timedelta,
    now: dt.datetime,
    admit: Callable[[Session, Any, dt.datetime], Claimed | Declined],
) -> Claimed | None:
    """Claim the next claimable row that `admit` lets through; the ones it declines are closed on the way."""
    with unit_of_work(session_factory) as session:
        while (row := table.next_claimable(session, now)) is not None:
            verdict = admit(session, row, now)
            if isinstance(verdict, Declined):
                table.close(session, row.id, verdict.status, now)
                continue
            table.claim(session, row.id, now, now + lease)
            return verdict
    return None


def finish_pass(session_factory: Callable[[], Session], table: ClaimTable, row_id: str, retries_left: bool) -> str:
    """Hold the row for another pass while its messages are unsettled and passes remain, else close it as sent; returns its status."""
    now = utcnow()
    with unit_of_work(session_factory) as session:
        status = status_after_pass(bool(store.count_unsettled(session, row_id, [])), retries_left)
        if status == SENDING:
            table.hold(session, row_id, now, now + RETRY_AFTER)
        else:
            table.close(session, row_id, status, now)
    return status
