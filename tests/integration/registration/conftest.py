"""Fixtures of the registration API tests: the app on SQLite and on PostgreSQL, emptied before each test."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.registration.api.context import EXTENSION, AgencyKeyCache
from services.registration.app import create_app
from shared.settings import load_settings
from shared.web import RateLimiter
from tests.fixtures.pgbouncer import database_params, database_url_of, pooler_env
from tests.integration.registration.harness import ADMIN_TOKEN, RegistrationApi

# Children first, so deleting in this order never trips a foreign key.
TABLES = (
    "idempotency_keys",
    "certificates",
    "check_in_reversals",
    "door_tokens",
    "registrations",
    "meetings",
    "agency_keys",
    "agencies",
    "outbox",
    "processed_events",
)


def registration_settings(database_url: str, data_dir, **extra: str):
    environ = {"RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "RAKOR_ENV": "dev", "DATABASE_URL": database_url, "DATA_DIR": str(data_dir), **extra}
    return load_settings("registration", environ=environ)


@pytest.fixture(scope="session")
def shared_apps(tmp_path_factory):
    """One app per database kind for the whole session: building and migrating one per test costs most of a second."""
    apps: dict = {}
    yield apps
    for app in apps.values():
        app.extensions["rakor_engine"].dispose()


def _empty(app) -> None:
    engine = app.extensions["rakor_engine"]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES:
                connection.execute(text(f"DELETE FROM {table}"))
    context = app.extensions[EXTENSION]
    context.agency_keys = AgencyKeyCache()
    context.rate_limiter = RateLimiter(app.config["RAKOR_SETTINGS"].agency_rate_limit)


@pytest.fixture(params=database_params)
def app(request, shared_apps, sqlite_url_factory, tmp_path_factory):
    """The registration app on an empty database: on SQLite, on PostgreSQL, and on PostgreSQL through PgBouncer."""
    kind = request.param
    if kind not in shared_apps:
        url = database_url_of(request, sqlite_url_factory)
        shared_apps[kind] = create_app(registration_settings(url, tmp_path_factory.mktemp(f"registration-{kind}"), **pooler_env(url)))
    app = shared_apps[kind]
    _empty(app)
    return app


@pytest.fixture
def api(app) -> RegistrationApi:
    return RegistrationApi(app)


@pytest.fixture
def agency(api):
    return api.make_agency()


@pytest.fixture
def other_agency(api):
    return api.make_agency("Dinas Kominfo Provinsi Jawa Barat", "province")


@pytest.fixture
def event(api):
    return api.make_event()
