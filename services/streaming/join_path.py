"""The hot path of GET /j/{token}: one indexed lookup, then the join and its outbox row, on the raw DB-API connection.

GET /j/{token} is the one endpoint hit by thousands of participants within minutes of a meeting's
start. Through SQLAlchemy's execution layer its three statements cost several times the database
work itself, so this module runs fixed SQL strings on the pooled DB-API connection and converts the
few datetimes by hand, exactly as the UtcDateTime column type stores them. The stream.joined
envelope is built directly in its JSON form; a test holds it equal to the shared schema's output.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine

from shared.correlation import get_correlation_id
from shared.schemas.envelope import SCHEMA_VERSION

PRODUCER = "streaming"
# What SQLAlchemy's SQLite DateTime writes (UtcDateTime hands it naive UTC): same text, same order.
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

FIND_LINK = (
    "SELECT l.id, l.registration_id, l.event_id, l.revoked_at, m.ends_at, m.title, z.url, y.url"
    " FROM links l"
    " LEFT JOIN meetings m ON m.id = l.event_id"
    " LEFT JOIN channels z ON z.event_id = l.event_id AND z.kind = 'zoom'"
    " LEFT JOIN channels y ON y.event_id = l.event_id AND y.kind = 'youtube'"
    " WHERE l.token_hash = :token_hash"
)
INSERT_JOIN = (
    "INSERT INTO joins (link_id, registration_id, event_id, joined_at, channel_kind)"
    " VALUES (:link_id, :registration_id, :event_id, :joined_at, :channel_kind)"
)
INSERT_OUTBOX = "INSERT INTO outbox (event_id, event_type, body, created_at) VALUES (:envelope_id, :event_type, :body, :created_at)"
# PostgreSQL: both rows in one statement. A data-modifying WITH runs exactly once and to completion, and
# one statement in autocommit is one transaction: the join and its event commit together or not at all.
INSERT_JOIN_AND_OUTBOX = f"WITH recorded AS ({INSERT_JOIN}) {INSERT_OUTBOX}"


def _pyformat(sql: str) -> str:
    """:name placeholders (sqlite3) to %(name)s (psycopg)."""
    return re.sub(r":(\w+)", r"%(\1)s", sql)


@dataclass(frozen=True)
class LinkRow:
    link_id: int
    registration_id: str
    event_id: str
    revoked: bool
    ends_at: dt.datetime | None
    title: str | None
    zoom_url: str | None
    youtube_url: str | None


class JoinPath:
    """The lookup and the recording of a join for one engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine):
        self.sqlite = engine.dialect.name == "sqlite"
        self.operational_error = engine.dialect.loaded_dbapi.OperationalError
        self._thread_lock = threading.Lock()
        self._lock_file = None
        if self.sqlite:
            self.engine = engine
            self.find_sql, self.join_sql, self.outbox_sql = FIND_LINK, INSERT_JOIN, INSERT_OUTBOX
            database = engine.url.database
            if database and database != ":memory:":
                self._lock_file = open(f"{database}.joins.lock", "a")
        else:
            self.engine = _autocommit_engine(engine)
            self.find_sql, self.record_sql = _pyformat(FIND_LINK), _pyformat(INSERT_JOIN_AND_OUTBOX)

    def close(self) -> None:
        """Release the lock file and, on PostgreSQL, this path's own connections."""
        if self._lock_file is not None:
            self._lock_file.close()
        if not self.sqlite:
            self.engine.dispose()

    @contextlib.contextmanager
    def _sqlite_writer(self):
        """Queue the join writers of all API processes in the kernel instead of SQLite's busy handler.

        SQLite makes a writer that finds the database locked sleep and retry (1, 2, 5, 10 ms ...);
        with a dozen threads redirecting at once most time went to those sleeps. A lock file (for
        the processes) and a thread lock (flock does not separate threads of one process) hand the
        write lock on the moment it is free. Other writers (the relay, the consumer) still meet the
        busy timeout as before.
        """
        if self._lock_file is None:
            yield
            return
        with self._thread_lock:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _row(self, found) -> LinkRow:
        ends_at = found[4]
        if isinstance(ends_at, str):
            ends_at = dt.datetime.fromisoformat(ends_at)
        if ends_at is not None and ends_at.tzinfo is None:
            ends_at = ends_at.replace(tzinfo=dt.timezone.utc)
        return LinkRow(found[0], found[1], found[2], found[3] is not None, ends_at, found[5], found[6], found[7])

    def visit(self, token_hash: str, decide, now: dt.datetime):
        """Look the link up, let `decide(LinkRow)` return (decision, channel kind or None), record a join for a kind.

        Returns (LinkRow or None, the decision). The join row and its outbox row commit together.
        """
        try:
            if self.sqlite:
                return self._visit_sqlite(token_hash, decide, now)
            return self._visit_postgresql(token_hash, decide, now)
        except self.operational_error as error:
            # Same type as SQLAlchemy raises elsewhere, so the app answers 503 instead of 500.
            raise exc.OperationalError(self.find_sql, {}, error) from error

    def _visit_sqlite(self, token_hash: str, decide, now: dt.datetime):
        """The lookup in autocommit, then BEGIN IMMEDIATE, the two INSERTs, COMMIT under the writers' lock.

        The lookup needs no write lock: a link revoked between it and the INSERT records one last join
        of a visit that was already on its way to the meeting, the same as one arriving a moment earlier.
        Keeping the SELECT out of the serialized part lets the API processes look links up in parallel.
        """
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self.find_sql, {"token_hash": token_hash})
            found = cursor.fetchone()
            if found is None:
                return None, None
            row = self._row(found)
            decision, channel_kind = decide(row)
            if channel_kind is not None:
                stamp = now.astimezone(dt.timezone.utc).strftime(SQLITE_FORMAT)
                join, outbox = self._rows(row, stamp, now, channel_kind)
                with self._sqlite_writer():
                    cursor.execute("BEGIN IMMEDIATE")
                    try:
                        cursor.execute(self.join_sql, join)
                        cursor.execute(self.outbox_sql, outbox)
                        connection.commit()
                    except BaseException:
                        connection.rollback()
                        raise
            return row, decision
        finally:
            connection.close()

    def _visit_postgresql(self, token_hash: str, decide, now: dt.datetime):
        """Two statements in autocommit: the lookup, then one INSERT … WITH that writes the join and its event.

        The connections of this path run with synchronous_commit=off: a crash of the database server
        in the fraction of a second after a join may lose that join together with its event (never
        one without the other), and a participant does not wait for a disk flush.
        """
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self.find_sql, {"token_hash": token_hash})
            found = cursor.fetchone()
            if found is None:
                return None, None
            row = self._row(found)
            decision, channel_kind = decide(row)
            if channel_kind is not None:
                join, outbox = self._rows(row, now, now, channel_kind)
                cursor.execute(self.record_sql, {**join, **outbox})
            return row, decision
        except BaseException:
            # The connection may be broken: never hand it out again.
            connection.invalidate()
            raise
        finally:
            connection.close()

    @staticmethod
    def _rows(row: LinkRow, stamp, now: dt.datetime, channel_kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The parameters of the join row and of its stream.joined outbox row."""
        join = {"link_id": row.link_id, "registration_id": row.registration_id, "event_id": row.event_id, "joined_at": stamp, "channel_kind": channel_kind}
        envelope = joined_envelope(row.registration_id, row.event_id, now, channel_kind)
        body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
        return join, {"envelope_id": envelope["id"], "event_type": "stream.joined", "body": body, "created_at": stamp}


def _autocommit_engine(engine: Engine) -> Engine:
    """A pool of autocommit connections to the same PostgreSQL database, without a ping per checkout.

    The app's engine pings every connection it hands out (one more round trip) and opens a
    transaction before the first statement (another). Here a broken connection instead fails its
    request once with 503 and is discarded. Only joins are written through these connections, hence
    synchronous_commit=off for the whole session (see _visit_postgresql).
    """
    own = create_engine(engine.url, pool_size=10, max_overflow=10, pool_pre_ping=False, pool_recycle=1800)

    @event.listens_for(own, "connect")
    def _autocommit(dbapi_connection, _record):
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        cursor.execute("SET synchronous_commit = off")
        cursor.close()

    return own


def joined_envelope(registration_id: str, event_id: str, at: dt.datetime, channel_kind: str | None) -> dict[str, Any]:
    """A stream.joined envelope, equal to what shared build_envelope would make (checked by a test)."""
    return {
        "id": str(uuid.uuid4()),
        "type": "stream.joined",
        "version": SCHEMA_VERSION,
        "occurred_at": at.isoformat(),
        "producer": PRODUCER,
        "correlation_id": get_correlation_id(),
        "data": {"registration_id": registration_id, "event_id": event_id, "at": at.isoformat(), "channel_kind": channel_kind},
    }
