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

from sqlalchemy import exc
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
INSERT_OUTBOX = "INSERT INTO outbox (event_id, event_type, body, created_at) VALUES (:event_id, :event_type, :body, :created_at)"


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
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        convert = (lambda sql: sql) if self.sqlite else _pyformat
        self.find_sql, self.join_sql, self.outbox_sql = convert(FIND_LINK), convert(INSERT_JOIN), convert(INSERT_OUTBOX)
        self.operational_error = engine.dialect.loaded_dbapi.OperationalError
        self._thread_lock = threading.Lock()
        database = engine.url.database if self.sqlite else None
        self._lock_file = open(f"{database}.joins.lock", "a") if database and database != ":memory:" else None

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

    def _to_db(self, value: dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime(SQLITE_FORMAT) if self.sqlite else value

    def _from_db(self, value) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value

    def visit(self, token_hash: str, decide, now: dt.datetime):
        """Look the link up, let `decide(LinkRow)` choose, and record a join if it returns a channel kind.

        One transaction: BEGIN (IMMEDIATE on SQLite, like every writer of shared.db), SELECT, two
        INSERTs, COMMIT. Returns (LinkRow or None, whatever decide returned).
        """
        if not self.sqlite:
            return self._visit(token_hash, decide, now)
        with self._sqlite_writer():
            return self._visit(token_hash, decide, now)

    def _visit(self, token_hash: str, decide, now: dt.datetime):
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            if self.sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(self.find_sql, {"token_hash": token_hash})
            found = cursor.fetchone()
            if found is None:
                connection.rollback()
                return None, None
            row = LinkRow(found[0], found[1], found[2], found[3] is not None, self._from_db(found[4]), found[5], found[6], found[7])
            decision, channel_kind = decide(row)
            if channel_kind is None:
                connection.rollback()
            elif self.sqlite:
                self._record(cursor, row, now, channel_kind)
                connection.commit()
            else:
                self._record_pipelined(connection, cursor, row, now, channel_kind)
            return row, decision
        except self.operational_error as error:
            connection.rollback()
            # Same type as SQLAlchemy raises elsewhere, so the app answers 503 instead of 500.
            raise exc.OperationalError(self.find_sql, {}, error) from error
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()

    def _record_pipelined(self, connection, cursor, row: LinkRow, now: dt.datetime, channel_kind: str) -> None:
        """PostgreSQL: both INSERTs and the COMMIT in one round trip, without waiting for the WAL flush.

        synchronous_commit=off only for this transaction: a crash of the database server in the
        fraction of a second after a join may lose that join and its event together (never one
        without the other); the join stays atomic, and a click log does not need to hold up each
        participant for a disk flush.
        """
        with connection.driver_connection.pipeline():
            cursor.execute("SET LOCAL synchronous_commit = off")
            self._record(cursor, row, now, channel_kind)
            connection.commit()

    def _record(self, cursor, row: LinkRow, now: dt.datetime, channel_kind: str) -> None:
        stamp = self._to_db(now)
        cursor.execute(
            self.join_sql,
            {"link_id": row.link_id, "registration_id": row.registration_id, "event_id": row.event_id, "joined_at": stamp, "channel_kind": channel_kind},
        )
        envelope = joined_envelope(row.registration_id, row.event_id, now, channel_kind)
        body = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)
        cursor.execute(self.outbox_sql, {"event_id": envelope["id"], "event_type": "stream.joined", "body": body, "created_at": stamp})


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
