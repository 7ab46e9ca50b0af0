"""Least privilege in PostgreSQL, against the real server: deploy/postgres-init.sql run with a test prefix.

Each service's role owns only its database, is no superuser, cannot connect to another service's
database, and runs its own service's migrations.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from shared import db
from shared.settings import SERVICES

ROOT = Path(__file__).resolve().parents[3]
INIT_SQL = ROOT / "deploy" / "postgres-init.sql"
ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(shutil.which("psql") is None, reason="psql runs the init script")]


def role_url(role: str, password: str, database: str) -> str:
    admin = make_url(ADMIN_URL)
    return f"postgresql://{role}:{password}@{admin.host}:{admin.port or 5432}/{database}"


@pytest.fixture(scope="module")
def roles() -> dict[str, tuple[str, str]]:
    """service -> (role and database name, password), created by the init script with a prefix of their own."""
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL does not answer: {exc}")
    prefix = f"rakor_test_{uuid.uuid4().hex[:8]}_"
    passwords = {service: uuid.uuid4().hex for service in SERVICES}
    variables = [arg for service, password in passwords.items() for arg in ("-v", f"{service}_password={password}")]
    run = subprocess.run(
        ["psql", ADMIN_URL, "-X", "-q", "-v", f"prefix={prefix}", *variables, "-f", str(INIT_SQL)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    yield {service: (f"{prefix}{service}", password) for service, password in passwords.items()}
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        for service in SERVICES:
            name = f"{prefix}{service}"
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'DROP ROLE IF EXISTS "{name}"')


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_role_owns_its_database_and_is_no_superuser(roles, service):
    name, password = roles[service]
    with psycopg.connect(role_url(name, password, name)) as connection:
        row = connection.execute(
            "SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, pg_get_userbyid(d.datdba) "
            "FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()"
        ).fetchone()
    assert row == (False, False, False, name)


@pytest.mark.parametrize("service, other", [(s, o) for s in SERVICES for o in SERVICES if s != o])
def test_a_service_role_cannot_connect_to_another_services_database(roles, service, other):
    name, password = roles[service]
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(role_url(name, password, roles[other][0]), connect_timeout=5).close()


def test_a_service_role_cannot_read_another_services_tables_even_through_a_shared_role(roles):
    # Migrate streaming as its own role, then try its tables as registration's role from its own database.
    streaming, streaming_password = roles["streaming"]
    engine = db.make_engine(f"postgresql+psycopg://{role_url(streaming, streaming_password, streaming).split('://', 1)[1]}")
    db.migrate(engine, importlib.import_module("services.streaming.app").MIGRATIONS)
    engine.dispose()
    registration, password = roles["registration"]
    with psycopg.connect(role_url(registration, password, registration)) as connection:
        with pytest.raises(psycopg.errors.FeatureNotSupported):  # cross-database references are not implemented
            connection.execute(f'SELECT * FROM "{streaming}".public.joins')


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_run_as_the_service_role(roles, service):
    name, password = roles[service]
    engine = db.make_engine(f"postgresql+psycopg://{role_url(name, password, name).split('://', 1)[1]}")
    try:
        db.migrate(engine, importlib.import_module(f"services.{service}.app").MIGRATIONS)
        with engine.connect() as connection:
            owners = {row[0] for row in connection.exec_driver_sql("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")}
    finally:
        engine.dispose()
    assert owners == {name}


def test_other_roles_may_not_create_tables_in_a_service_database(roles):
    # Even a role allowed to connect (here: the admin gives it CONNECT) finds the public schema closed.
    name, _ = roles["registration"]
    other, other_password = roles["notification"]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'GRANT CONNECT ON DATABASE "{name}" TO "{other}"')
    try:
        with psycopg.connect(role_url(other, other_password, name)) as connection:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute("CREATE TABLE public.pencurian (id int)")
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'REVOKE CONNECT ON DATABASE "{name}" FROM "{other}"')
