"""PostgreSQL statement and lock timeouts: set on every transaction (SET LOCAL), never left on the session."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from shared.db import make_engine, make_service_engine, make_session_factory, unit_of_work
from shared.settings import load_settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(pg_url_factory):
    return pg_url_factory()


def test_every_transaction_runs_with_both_timeouts_and_the_session_keeps_none(pg_url):
    engine = make_engine(pg_url, statement_timeout=7.5, lock_timeout=2.0)
    try:
        with engine.begin() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "7500ms"
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "2s"
        # The same pooled connection outside a transaction: back to the server's defaults, so a
        # pooler in transaction mode hands no setting of ours to another client.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "0"
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "0"
    finally:
        engine.dispose()


def test_a_statement_over_the_timeout_is_cancelled(pg_url):
    engine = make_engine(pg_url, statement_timeout=0.3, lock_timeout=0.3)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"):
            with unit_of_work(make_session_factory(engine)) as session:
                session.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 4
    finally:
        engine.dispose()


def test_a_lock_held_elsewhere_ends_in_an_error_after_the_lock_timeout(pg_url):
    engine = make_service_engine(
        load_settings("registration", environ={"DATABASE_URL": pg_url, "DB_LOCK_TIMEOUT": "0.3"}, require_admin_token=False)
    )
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE seats (id int PRIMARY KEY, taken int)"))
            connection.execute(text("INSERT INTO seats VALUES (1, 0)"))
        holder_has_lock, release = threading.Event(), threading.Event()

        def hold():
            with engine.begin() as connection:
                connection.execute(text("SELECT * FROM seats WHERE id = 1 FOR UPDATE"))
                holder_has_lock.set()
                release.wait(10)

        thread = threading.Thread(target=hold)
        thread.start()
        try:
            assert holder_has_lock.wait(10)
            with pytest.raises(OperationalError, match="lock timeout"):
                with engine.begin() as connection:
                    connection.execute(text("UPDATE seats SET taken = 1 WHERE id = 1"))
        finally:
            release.set()
            thread.join()
    finally:
        engine.dispose()


def test_the_join_paths_autocommit_connections_carry_the_timeouts_per_session(pg_url):
    from services.streaming.join_path import JoinPath

    engine = make_engine(pg_url)
    path = JoinPath(engine, statement_timeout=4, lock_timeout=1.5)
    try:
        connection = path.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "4s"
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "1500ms"
        finally:
            connection.close()
    finally:
        path.close()
        engine.dispose()
