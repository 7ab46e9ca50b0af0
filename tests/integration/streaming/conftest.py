"""Streaming test wiring: the app on a fresh database (SQLite and PostgreSQL), its session factory, a bus feeder."""

from __future__ import annotations

from typing import Any

import pytest

from services.streaming.api import EXTENSION
from services.streaming.app import create_app
from shared.settings import load_settings
from tests.factories.streaming import make_meeting
from tests.fixtures.pgbouncer import database_params, database_url_of, pooler_env
from tests.integration.streaming.probes import ADMIN_TOKEN, PUBLIC_BASE_URL, Feeder


@pytest.fixture(params=database_params)
def database_url(request, sqlite_url_factory) -> str:
    """A fresh database per test: SQLite, PostgreSQL, and PostgreSQL through PgBouncer (transaction mode)."""
    return database_url_of(request, sqlite_url_factory)


@pytest.fixture
def settings(database_url, tmp_path):
    return load_settings(
        "streaming",
        environ={
            "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
            "RAKOR_ENV": "dev",
            "DATABASE_URL": database_url,
            "DATA_DIR": str(tmp_path),
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "JOIN_RATE_LIMIT": "10000",
            **pooler_env(database_url),
        },
    )


@pytest.fixture
def app(settings):
    app = create_app(settings)
    yield app
    app.extensions[EXTENSION].join_path.close()
    app.extensions[EXTENSION].session_factory.kw["bind"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session_factory(app):
    return app.extensions[EXTENSION].session_factory


@pytest.fixture
def feed(session_factory, settings) -> Feeder:
    return Feeder(session_factory, settings)


@pytest.fixture
def meeting(feed) -> dict[str, Any]:
    """A running meeting that the service has heard of through event.created."""
    meeting = make_meeting()
    feed("event.created", {**meeting, "changed_fields": []})
    return meeting
