"""DB_POOLER=transaction: nothing a connection does outlives its transaction on the server connection.

Behind PgBouncer in transaction mode each transaction may run on another server connection, so a
prepared statement, a session setting or a session lock left behind would be found (or missed) by
whichever client gets that connection next.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from services.registration.app import MIGRATIONS
from shared.db import make_engine, make_session_factory, migrate, unit_of_work

pytestmark = pytest.mark.postgres
PREPARED = text("SELECT count(*) FROM pg_prepared_statements")


@pytest.mark.parametrize("transaction_pooler, prepares", [(False, True), (True, False)])
def test_psycopg_prepares_statements_on_the_server_only_without_a_transaction_pooler(pg_url_factory, transaction_pooler, prepares):
    engine = make_engine(pg_url_factory(), transaction_pooler=transaction_pooler)
    try:
        with engine.connect() as connection:
            # psycopg prepares a query on its fifth execution on a connection.
            for _ in range(8):
                connection.execute(text("SELECT 1 WHERE 1 = :one"), {"one": 1})
            assert (connection.execute(PREPARED).scalar() > 0) is prepares
    finally:
        engine.dispose()


def test_migrations_from_many_processes_at_once_through_pgbouncer_leave_one_schema_and_no_lock(pgbouncer_url_factory):
    url = pgbouncer_url_factory()
    engines = [make_engine(url, transaction_pooler=True) for _ in range(4)]
    errors: list[BaseException] = []

    def run(engine):
        try:
            migrate(engine, MIGRATIONS)
        except BaseException as exc:  # reported below with the others
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    try:
        assert errors == []
        with unit_of_work(make_session_factory(engines[0])) as session:
            assert session.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
            # The migration lock was a transaction lock: no server connection still holds it.
            assert (
                session.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    )
                ).scalar()
                == 0
            )
    finally:
        for engine in engines:
            engine.dispose()
