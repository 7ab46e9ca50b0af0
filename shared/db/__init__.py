"""Engines, sessions and the unit of work on SQLite (default) or PostgreSQL, and migrations run at start."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def utcnow() -> dt.datetime:
    """Now, timezone-aware in UTC: what every timestamp column of the suite stores."""
    return dt.datetime.now(dt.UTC)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(
    url: str, *, pool_size: int = 10, statement_timeout: float = 30.0, lock_timeout: float = 10.0, transaction_pooler: bool = False
) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE transactions;
    PostgreSQL gets a statement and a lock timeout (seconds) on every transaction.

    `transaction_pooler`: PostgreSQL is reached through a pooler in transaction mode (PgBouncer
    pool_mode=transaction, DB_POOLER=transaction), which lends a server connection for one transaction
    only. psycopg then must not prepare statements on the server: it prepares a query after its fifth
    execution on a connection and reuses the name later, when the pooler may have handed it another
    server connection, where that name does not exist (or names another query)."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    connect_args = pooler_connect_args(transaction_pooler)
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, pool_recycle=1800, connect_args=connect_args
    )
    _configure_postgresql(engine, statement_timeout, lock_timeout)
    return engine


def pooler_connect_args(transaction_pooler: bool) -> dict:
    """psycopg's connection arguments behind a pooler in transaction mode: no server-side prepared statements."""
    return {"prepare_threshold": None} if transaction_pooler else {}


def timeout_settings_sql(statement_timeout: float, lock_timeout: float, *, local: bool = True) -> str:
    """One statement setting both timeouts (in milliseconds), for this transaction only when `local`."""
    scope = "true" if local else "false"
    return (
        f"SELECT set_config('statement_timeout', '{int(statement_timeout * 1000)}', {scope}),"
        f" set_config('lock_timeout', '{int(lock_timeout * 1000)}', {scope})"
    )


def _configure_postgresql(engine: Engine, statement_timeout: float, lock_timeout: float) -> None:
    # A runaway query or a lock held by a stuck transaction must end in an error (503, retry) rather
    # than hold a worker and a pool connection for ever. The timeouts are set for each transaction
    # (SET LOCAL, here set_config(..., true)), not per session: behind a pooler in transaction mode
    # (PgBouncer) a session setting would stay on a server connection that other clients then share.
    statement = timeout_settings_sql(statement_timeout, lock_timeout)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get("rakor_timeouts", True):
            connection.exec_driver_sql(statement)


def make_service_engine(settings, *, pool_size: int = 10) -> Engine:
    """The engine of one process of a service, with the database timeouts of its settings."""
    return make_engine(
        settings.database_url,
        pool_size=pool_size,
        statement_timeout=settings.db_statement_timeout,
        lock_timeout=settings.db_lock_timeout,
        transaction_pooler=settings.db_pooler == "transaction",
    )


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling issues BEGIN lazily (DEFERRED) and only before DML; two
    # writers that both read first then deadlock on the upgrade to a write lock. We take the
    # transaction ourselves with BEGIN IMMEDIATE, so every unit of work is a serialized writer and
    # the busy timeout queues the others instead of failing them with "database is locked".
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


@contextlib.contextmanager
def unit_of_work(session_factory: Callable[[], Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back on any exception."""
    session = session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextlib.contextmanager
def read_only(session_factory: Callable[[], Session]) -> Iterator[Session]:
    """A session for reads; on SQLite it takes a DEFERRED transaction so readers never queue behind writers."""
    session = session_factory()
    if is_sqlite(session.get_bind()):
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def ping(engine: Engine) -> None:
    """Raise if the database does not answer a trivial query (used by /readyz)."""
    with engine.connect() as connection:
        if is_sqlite(engine):
            connection.exec_driver_sql("SELECT 1")
        else:
            connection.execute(text("SELECT 1"))


@contextlib.contextmanager
def _sqlite_migration_lock(engine: Engine) -> Iterator[None]:
    # Every process of a service (API workers, relay, consumer) migrates at start; the lock makes
    # the first one do the work and the others find the schema at head.
    db_path = engine.url.database or ""
    if not db_path or db_path == ":memory:":
        yield
        return
    lock_path = Path(db_path + ".migrate.lock")
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate_at_start(engine: Engine, migrations_dir: Path, settings) -> None:
    """What each process does at start: migrate, unless MIGRATE_ON_START=0 leaves it to a `rakor migrate` job."""
    if settings.migrate_on_start:
        migrate(engine, migrations_dir)
    else:
        log.info("MIGRATE_ON_START=0: not migrating %s", engine.url.render_as_string(hide_password=True))


def migrate(engine: Engine, migrations_dir: Path) -> None:
    """Bring the database of `engine` to the head revision of the Alembic scripts in `migrations_dir`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    if is_sqlite(engine):
        with _sqlite_migration_lock(engine):
            _upgrade(engine, config)
    else:
        _upgrade(engine, config, lock=True)


def _upgrade(engine: Engine, config, *, lock: bool = False) -> None:
    from alembic import command

    # Waiting here for another process's migration, or a migration's own long statements, are not
    # what the per-transaction timeouts are for.
    with engine.connect().execution_options(rakor_timeouts=False) as connection:
        if lock:
            # The whole upgrade is one transaction (Alembic joins the one begun here), and the lock
            # that makes the other processes wait for it is a transaction lock, released by that
            # COMMIT: a session lock (pg_advisory_lock) would outlive its transaction on a server
            # connection that a pooler in transaction mode lends to other clients, and its unlock
            # could reach another server connection.
            connection.execute(text("SELECT pg_advisory_xact_lock(424242)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
