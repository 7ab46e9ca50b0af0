"""The relay's queries on the outbox table: claim a batch under a lease, mark sent, release, purge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, Text, column, delete, func, select, table, update
from sqlalchemy.engine import Engine

from shared.db import is_sqlite
from shared.messaging.outbox import OUTBOX_TABLE, utcnow

# Typed handle: SQLite stores datetimes as text, so every value must go through the same
# DateTime processor for the lease comparisons to order correctly.
outbox = table(
    OUTBOX_TABLE,
    column("id", Integer),
    column("event_id", String),
    column("event_type", String),
    column("body", Text),
    column("created_at", DateTime(timezone=True)),
    column("claimed_by", String),
    column("claimed_until", DateTime(timezone=True)),
    column("sent_at", DateTime(timezone=True)),
)


@dataclass(frozen=True)
class PendingEvent:
    id: int
    event_id: str
    event_type: str
    body: str


class OutboxStore:
    """Row-level coordination of relays: a row is published by whoever holds its lease.

    A claim sets `claimed_by`/`claimed_until` on a batch of unsent rows in one short transaction.
    On PostgreSQL the batch is picked with FOR UPDATE SKIP LOCKED, so concurrent relays claim
    disjoint batches; on SQLite every transaction is BEGIN IMMEDIATE, a single writer, which gives
    the same guarantee. A relay that dies leaves its lease to expire; another relay then publishes
    those rows again (consumers deduplicate by event id).
    """

    def __init__(self, engine: Engine, relay_name: str, lease: dt.timedelta = dt.timedelta(seconds=60)):
        self.engine, self.relay_name, self.lease = engine, relay_name, lease

    def _begin(self):
        """A write transaction for relay bookkeeping.

        On PostgreSQL it skips the wait for the WAL flush (synchronous_commit off): if the server
        crashes right after, a claim or a sent mark is lost and the row is simply published again,
        which consumers absorb by event id. It is never used for the producers' own transactions.
        """
        connection = self.engine.connect()
        transaction = connection.begin()
        if not is_sqlite(self.engine):
            connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        return _Transaction(connection, transaction)

    def _claimable(self, now: dt.datetime):
        return (outbox.c.sent_at.is_(None)) & (outbox.c.claimed_until.is_(None) | (outbox.c.claimed_until < now))

    def has_pending(self) -> bool:
        now = utcnow()
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            return conn.execute(select(outbox.c.id).where(self._claimable(now)).limit(1)).first() is not None

    def claim(self, limit: int, *, check_first: bool = True) -> list[PendingEvent]:
        """Lease up to `limit` unsent rows to this relay, oldest first.

        `check_first` makes an idle poll a cheap read instead of a write transaction.
        """
        if check_first and not self.has_pending():
            return []
        now = utcnow()
        picked = select(outbox.c.id).where(self._claimable(now)).order_by(outbox.c.id).limit(limit)
        if not is_sqlite(self.engine):
            picked = picked.with_for_update(skip_locked=True)
        statement = (
            update(outbox)
            .where(outbox.c.id.in_(picked.scalar_subquery()))
            .values(claimed_by=self.relay_name, claimed_until=now + self.lease)
            .returning(outbox.c.id, outbox.c.event_id, outbox.c.event_type, outbox.c.body)
        )
        with self._begin() as conn:
            rows = conn.execute(statement).all()
        return sorted((PendingEvent(*row) for row in rows), key=lambda event: event.id)

    def mark_sent(self, ids: list[int]) -> None:
        now = utcnow()
        with self._begin() as conn:
            for start in range(0, len(ids), 1000):
                conn.execute(update(outbox).where(outbox.c.id.in_(ids[start : start + 1000])).values(sent_at=now))

    def release(self, ids: list[int] | None = None) -> None:
        """Give up this relay's leases (all of them, or `ids`) so the rows are claimed again at once."""
        statement = update(outbox).where(outbox.c.claimed_by == self.relay_name, outbox.c.sent_at.is_(None))
        with self.engine.begin() as conn:
            if ids is None:
                conn.execute(statement.values(claimed_by=None, claimed_until=None))
            else:
                for start in range(0, len(ids), 500):
                    conn.execute(statement.where(outbox.c.id.in_(ids[start : start + 500])).values(claimed_by=None, claimed_until=None))

    def purge_sent(self, older_than: dt.timedelta) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(outbox).where(outbox.c.sent_at < utcnow() - older_than)).rowcount or 0

    def pending_count(self) -> int:
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            return conn.execute(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))).scalar_one()


class _Transaction:
    """Context manager: yields the connection, commits on success, rolls back on error, always closes."""

    def __init__(self, connection, transaction):
        self.connection, self.transaction = connection, transaction

    def __enter__(self):
        return self.connection

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.transaction.commit()
            else:
                self.transaction.rollback()
        finally:
            self.connection.close()
        return False
