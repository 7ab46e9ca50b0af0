"""Fixtures of the registration API tests: an app per test on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from services.registration.app import MIGRATIONS, create_app
from shared import db
from shared.settings import load_settings
from tests.integration.registration.factories import ADMIN_TOKEN, RegistrationApi


def registration_settings(database_url: str, data_dir, **extra: str):
    environ = {"RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "DATABASE_URL": database_url, "DATA_DIR": str(data_dir), **extra}
    return load_settings("registration", environ=environ)


TABLES = "registrations, idempotency_keys, meetings, agencies, outbox, processed_events"


@pytest.fixture(scope="session")
def migrated_pg_url(pg_url_factory) -> str:
    """One PostgreSQL database per test session (per xdist worker), migrated once; tests empty it."""
    url = pg_url_factory()
    engine = db.make_engine(url)
    db.migrate(engine, MIGRATIONS)
    engine.dispose()
    return url


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)])
def database_url(request, sqlite_url_factory) -> str:
    """A fresh empty registration database per test, on SQLite and on PostgreSQL.

    Creating and migrating a PostgreSQL database costs most of a second, so the migrated one is
    reused and emptied instead.
    """
    if request.param == "sqlite":
        return sqlite_url_factory()
    url = request.getfixturevalue("migrated_pg_url")
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def settings(database_url, tmp_path):
    return registration_settings(database_url, tmp_path)


@pytest.fixture
def app(settings):
    app = create_app(settings)
    yield app
    app.extensions["rakor_engine"].dispose()


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
