"""Queries of a table whose rows are claimed one at a time under a lease (reminders, agency digests); callers own the transaction.

PostgreSQL: the next claimable row is taken FOR UPDATE SKIP LOCKED, so several workers each take a
different one. SQLite ignores the clause; there every unit of work is a BEGIN IMMEDIATE writer, which
serializes claims.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from services.notification.domain.claims import ARMED, SENDING


@dataclass(frozen=True)
class ClaimTable:
    """One such table: its mapped class (with id, status, claimed_until, passes, updated_at), the order rows are taken in,
    what else an armed row must meet to be due, and the column that keeps the moment of its first claim, if any."""

    model: Any
    order: tuple[Any, ...]
    due: Callable[[dt.datetime], ColumnElement[bool]] | None = None
    first_claimed_at: str | None = None

    def claimable(self, now: dt.datetime) -> ColumnElement[bool]:
        """Armed and due, or claimed by a sender whose lease ran out."""
        armed = self.model.status == ARMED if self.due is None else and_(self.model.status == ARMED, self.due(now))
        return or_(armed, and_(self.model.status == SENDING, self.model.claimed_until < now))

    def any_claimable(self, session: Session, now: dt.datetime) -> bool:
        return session.scalar(select(self.model.id).where(self.claimable(now)).limit(1)) is not None

    def next_claimable(self, session: Session, now: dt.datetime) -> Any | None:
        """The first claimable row in the table's order, locked for this transaction."""
        query = select(self.model).where(self.claimable(now)).order_by(*self.order).limit(1).with_for_update(skip_locked=True)
        return session.scalars(query).first()

    def claim(self, session: Session, row_id: str, now: dt.datetime, lease_until: dt.datetime) -> None:
        values: dict[str, Any] = {"status": SENDING, "claimed_until": lease_until, "passes": self.model.passes + 1, "updated_at": now}
        if self.first_claimed_at is not None:
            values[self.first_claimed_at] = func.coalesce(getattr(self.model, self.first_claimed_at), now)
        self._update(session, row_id, **values)

    def hold(self, session: Session, row_id: str, now: dt.datetime, until: dt.datetime) -> None:
        """Keep the row claimed until `until`: renewed while sending, or a transient failure retried then by whichever worker.

        A row closed meanwhile (withdrawn, or finished by the worker that took over) keeps no lease.
        """
        session.execute(
            update(self.model)
            .where(self.model.id == row_id, self.model.status == SENDING)
            .values(claimed_until=until, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def close(self, session: Session, row_id: str, status: str, now: dt.datetime) -> None:
        self._update(session, row_id, status=status, claimed_until=None, updated_at=now)

    def is_claimed(self, session: Session, row_id: str) -> bool:
        return session.scalar(select(self.model.status).where(self.model.id == row_id)) == SENDING

    def _update(self, session: Session, row_id: str, **values: Any) -> None:
        session.execute(update(self.model).where(self.model.id == row_id).values(**values).execution_options(synchronize_session=False))
