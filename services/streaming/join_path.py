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
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine

from shared.correlation import get_correlation_id
from shared.db import pooler_connect_args, timeout_settings_sql
from shared.db.writers import writer_queue
from shared.messaging.outbox import RAW_INSERT, envelope, outbox_row
from shared.schemas.envelope import SCHEMA_VERSION

log = logging.getLogger(__name__)

PRODUCER = "streaming"
# What SQLAlchemy's SQLite DateTime writes (UtcDateTime hands it naive UTC): same text, same order.
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

# The columns every visit reads, on both databases: the link, its meeting (times, zone, cancellation),
# its channels and the participant's language (for the "not yet" page).
_LINK_COLUMNS = (
    "l.id, l.registration_id, l.event_id, l.revoked_at, m.starts_at, m.ends_at, m.cancelled_at, m.title, m.timezone,"
    " z.url AS zoom_url, y.url AS youtube_url, p.locale"
)
_LINK_FROM = (
    " FROM links l"
    " LEFT JOIN meetings m ON m.id = l.event_id"
    " LEFT JOIN channels z ON z.event_id = l.event_id AND z.kind = 'zoom'"
    " LEFT JOIN channels y ON y.event_id = l.event_id AND y.kind = 'youtube'"
    " LEFT JOIN participants p ON p.registration_id = l.registration_id"
)
FIND_LINK = f"SELECT {_LINK_COLUMNS}{_LINK_FROM} WHERE l.token_hash = :token_hash"
INSERT_JOIN = (
    "INSERT INTO joins (link_id, registration_id, event_id, joined_at, channel_kind)"
    " VALUES (:link_id, :registration_id, :event_id, :joined_at, :channel_kind)"
)
# PostgreSQL: the whole visit in one statement and one round trip: the lookup, the join and its
# stream.joined event. Data-modifying WITH parts run exactly once and to completion, and one statement
# in autocommit is one transaction, so the join and its event commit together or not at all. The CASE
# repeats domain.join_target.decide_join's rule for recording (not revoked, meeting not cancelled, not
# over, its window open — `opens_by` is now + JOIN_OPENS_MINUTES —, a channel, not a HEAD); the caller
# checks its answer against decide_join on every visit, and the tests run every outcome and both edges
# of the window on both databases. The envelope is json_build_object's rendering of joined_envelope().
RECORD_VISIT = (
    "WITH found AS ("
    f" SELECT {_LINK_COLUMNS},"
    "  CASE WHEN NOT %(record)s OR l.revoked_at IS NOT NULL OR m.cancelled_at IS NOT NULL"
    "   OR m.ends_at < %(now)s OR m.starts_at > %(opens_by)s THEN NULL"
    "   WHEN z.url IS NOT NULL THEN 'zoom' WHEN y.url IS NOT NULL THEN 'youtube' END AS channel_kind"
    f"{_LINK_FROM}"
    " WHERE l.token_hash = %(token_hash)s"
    "), recorded AS ("
    " INSERT INTO joins (link_id, registration_id, event_id, joined_at, channel_kind)"
    " SELECT id, registration_id, event_id, %(now)s, channel_kind FROM found WHERE channel_kind IS NOT NULL"
    " RETURNING registration_id, event_id, channel_kind"
    "), announced AS ("
    " INSERT INTO outbox (event_id, event_type, body, created_at)"
    " SELECT %(envelope_id)s::text, 'stream.joined', json_build_object("
    "  'id', %(envelope_id)s::text, 'type', 'stream.joined', 'version', %(version)s::int, 'occurred_at', %(at)s::text,"
    "  'producer', %(producer)s::text, 'correlation_id', %(correlation_id)s::text,"
    "  'data', json_build_object('registration_id', registration_id, 'event_id', event_id, 'at', %(at)s::text, 'channel_kind', channel_kind)"
    " )::text, %(now)s FROM recorded"
    ")"
    " SELECT * FROM found"
)


@dataclass(frozen=True)
class LinkRow:
    link_id: int
    registration_id: str
    event_id: str
    revoked: bool
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    cancelled: bool
    title: str | None
    timezone: str | None
    zoom_url: str | None
    youtube_url: str | None
    locale: str | None


class JoinPath:
    """The lookup and the recording of a join for one engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, *, statement_timeout: float = 30.0, lock_timeout: float = 10.0, transaction_pooler: bool = False):
        self.sqlite = engine.dialect.name == "sqlite"
        self.operational_error = engine.dialect.loaded_dbapi.OperationalError
        if self.sqlite:
            self.engine = engine
            # The join writers of all API processes queue in the kernel instead of SQLite's busy handler.
            self._writers = writer_queue(engine)
        else:
            self.engine = _autocommit_engine(engine, statement_timeout, lock_timeout, transaction_pooler)
            # Behind a pooler in transaction mode the session settings of _autocommit_engine are not
            # ours to make (the server connection is shared): the visit is then its own transaction
            # that sets them for itself (SET LOCAL), three round trips more.
            self._local_settings = (
                timeout_settings_sql(statement_timeout, lock_timeout) + ", set_config('synchronous_commit', 'off', true)"
                if transaction_pooler
                else None
            )

    def close(self) -> None:
        """On PostgreSQL, release this path's own connections."""
        if not self.sqlite:
            self.engine.dispose()

    def _row(self, found) -> LinkRow:
        """A row of _LINK_COLUMNS; SQLite gives its datetimes as naive UTC text."""
        return LinkRow(
            found[0],
            found[1],
            found[2],
            found[3] is not None,
            _utc(found[4]),
            _utc(found[5]),
            found[6] is not None,
            found[7],
            found[8],
            found[9],
            found[10],
            found[11],
        )

    def visit(self, token_hash: str, decide, now: dt.datetime, opens_before: dt.timedelta, record: bool = True):
        """Look the link up, let `decide(LinkRow)` return (decision, channel kind or None), record a join for a kind.

        `record=False` never records (a HEAD request); `decide` must then return no kind either.
        `opens_before` is how long before the start links lead to the meeting (decide_join's, for the SQL).

        Returns (LinkRow or None, the decision). The join row and its outbox row commit together.
        """
        try:
            if self.sqlite:
                return self._visit_sqlite(token_hash, decide, now)
            return self._visit_postgresql(token_hash, decide, now, now + opens_before, record)
        except self.operational_error as error:
            # Same type as SQLAlchemy raises elsewhere, so the app answers 503 instead of 500.
            raise exc.OperationalError(FIND_LINK if self.sqlite else RECORD_VISIT, {}, error) from error

    def _visit_sqlite(self, token_hash: str, decide, now: dt.datetime):
        """The lookup in autocommit, then BEGIN IMMEDIATE, the two INSERTs, COMMIT under the writers' lock.

        The lookup needs no write lock: a link revoked between it and the INSERT records one last join
        of a visit that was already on its way to the meeting, the same as one arriving a moment earlier.
        Keeping the SELECT out of the serialized part lets the API processes look links up in parallel.
        """
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(FIND_LINK, {"token_hash": token_hash})
            found = cursor.fetchone()
            if found is None:
                return None, None
            row = self._row(found)
            decision, channel_kind = decide(row)
            if channel_kind is not None:
                stamp = now.astimezone(dt.UTC).strftime(SQLITE_FORMAT)
                join, outbox = self._rows(row, stamp, now, channel_kind)
                with self._writers.held() if self._writers else contextlib.nullcontext():
                    cursor.execute("BEGIN IMMEDIATE")
                    try:
                        cursor.execute(INSERT_JOIN, join)
                        cursor.execute(RAW_INSERT, outbox)
                        connection.commit()
                    except BaseException:
                        connection.rollback()
                        raise
            return row, decision
        finally:
            connection.close()

    def _visit_postgresql(self, token_hash: str, decide, now: dt.datetime, opens_by: dt.datetime, record: bool):
        """One statement in autocommit (RECORD_VISIT): the lookup, and the join with its event when it leads to the meeting.

        The connections of this path run with synchronous_commit=off: a crash of the database server
        in the fraction of a second after a join may lose that join together with its event (never
        one without the other), and a participant does not wait for a disk flush.
        """
        moment = now.isoformat()
        params = {
            "token_hash": token_hash,
            "record": record,
            "now": now,
            "opens_by": opens_by,
            "at": moment,
            "envelope_id": str(uuid.uuid4()),
            "version": SCHEMA_VERSION,
            "producer": PRODUCER,
            "correlation_id": get_correlation_id(),
        }
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            if self._local_settings is None:
                cursor.execute(RECORD_VISIT, params)
                found = cursor.fetchone()
            else:
                cursor.execute("BEGIN")
                cursor.execute(self._local_settings)
                cursor.execute(RECORD_VISIT, params)
                found = cursor.fetchone()
                cursor.execute("COMMIT")
        except BaseException:
            # The connection may be broken: never hand it out again.
            connection.invalidate()
            raise
        finally:
            connection.close()
        if found is None:
            return None, None
        row = self._row(found)
        decision, channel_kind = decide(row)
        if channel_kind != found[-1]:
            log.error(
                "join recorded as %r but decide_join says %r (outcome %s): RECORD_VISIT and the domain rule differ",
                found[-1],
                channel_kind,
                decision.outcome,
            )
        return row, decision

    @staticmethod
    def _rows(row: LinkRow, stamp, now: dt.datetime, channel_kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The parameters of the join row and of its stream.joined outbox row."""
        join = {
            "link_id": row.link_id,
            "registration_id": row.registration_id,
            "event_id": row.event_id,
            "joined_at": stamp,
            "channel_kind": channel_kind,
        }
        return join, outbox_row(joined_envelope(row.registration_id, row.event_id, now, channel_kind), stamp)


def _utc(moment) -> dt.datetime | None:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _autocommit_engine(engine: Engine, statement_timeout: float, lock_timeout: float, transaction_pooler: bool = False) -> Engine:
    """A pool of autocommit connections to the same PostgreSQL database, without a ping per checkout.

    The app's engine pings every connection it hands out (one more round trip) and opens a
    transaction before the first statement (another). Here a broken connection instead fails its
    request once with 503 and is discarded. Only joins are written through these connections, hence
    synchronous_commit=off for the whole session (see _visit_postgresql). Each statement here is its
    own transaction, so the database timeouts are set once per session too (the rest of the service
    sets them per transaction, see shared.db): this path needs session-pinned connections either way.
    Behind a pooler in transaction mode (`transaction_pooler`) there is no session of ours: nothing is
    set here, and JoinPath sets it in each visit's transaction instead.
    """
    # Autocommit connections hold no transaction to roll back when they return to the pool.
    own = create_engine(
        engine.url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=False,
        pool_recycle=1800,
        pool_reset_on_return=None,
        connect_args=pooler_connect_args(transaction_pooler),
    )

    @event.listens_for(own, "connect")
    def _autocommit(dbapi_connection, _record):
        dbapi_connection.autocommit = True
        if transaction_pooler:
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(timeout_settings_sql(statement_timeout, lock_timeout, local=False))
        cursor.close()

    return own


def joined_envelope(registration_id: str, event_id: str, at: dt.datetime, channel_kind: str | None) -> dict[str, Any]:
    """A stream.joined envelope, its payload written in JSON form by hand: equal to build_envelope's (checked by a test)."""
    moment = at.isoformat()
    data = {"registration_id": registration_id, "event_id": event_id, "at": moment, "channel_kind": channel_kind}
    return envelope(PRODUCER, "stream.joined", data, occurred_at=moment)
