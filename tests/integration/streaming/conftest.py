"""Streaming test wiring: the app on a fresh database (SQLite and PostgreSQL), its session factory, a bus feeder."""
from __future__ import annotations

import subprocess
import uuid
from typing import Any

import pytest

from services.streaming.api import EXTENSION
from services.streaming.app import create_app
from shared.settings import load_settings
from tests.integration.streaming.broker_tap import Tap
from tests.integration.streaming.factories import ADMIN_TOKEN, PUBLIC_BASE_URL, Feeder, make_meeting


@pytest.fixture
def settings(database_url, tmp_path):
    return load_settings(
        "streaming",
        environ={
            "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
            "DATABASE_URL": database_url,
            "DATA_DIR": str(tmp_path),
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "JOIN_RATE_LIMIT": "10000",
        },
    )


@pytest.fixture
def app(settings):
    app = create_app(settings)
    yield app
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


@pytest.fixture(scope="session")
def streaming_amqp_url(request):
    """The suite's fresh broker vhost (`amqp_url`) when that fixture exists, else a private vhost made here."""
    try:
        return request.getfixturevalue("amqp_url")
    except pytest.FixtureLookupError:
        pass
    vhost = f"rakor-streaming-test-{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True, timeout=30)
        subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"no broker vhost for streaming tests: {exc}")
    yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=30)


@pytest.fixture
def tap(streaming_amqp_url):
    """tap(event_id, *routing_keys) -> Tap collecting that meeting's events from the real broker."""
    taps = []

    def make(event_id: str, *routing_keys: str) -> Tap:
        taps.append(Tap(streaming_amqp_url, event_id, *routing_keys))
        return taps[-1]

    yield make
    for opened in taps:
        opened.close()
