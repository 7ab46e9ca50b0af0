"""The console app (Flask test client) against a real registration API process; other services as given per test."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from services.console.app import create_app
from services.console.settings import load_console_settings
from tests.factories.registration import meeting_body, participant
from tests.fixtures.processes import ProcessGroup, free_port, gunicorn_argv

ADMIN_TOKEN = "token-penyelenggara-konsol-uji-2031"
SECRET_KEY = "kunci-rahasia-konsol-uji-" + "x" * 20
CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class Registration:
    """The real registration API, called as the organizer and as agencies (for setting up data)."""

    def __init__(self, url: str, database_url: str = "") -> None:
        self.url = url
        self.database_url = database_url  # its database, for what only its queue consumer writes (Zoom report minutes)
        self.admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def call(self, method: str, path: str, status: int, headers: dict | None = None, **kwargs: Any) -> Any:
        response = requests.request(method, self.url + path, headers=headers or self.admin, timeout=10, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def make_meeting(self, **overrides: Any) -> dict:
        return self.call("POST", "/v1/events", 201, json=meeting_body(**overrides))

    def make_agency(self, name: str = "Biro Humas Kementerian Komunikasi dan Informatika", kind: str = "ministry") -> dict:
        return self.call("POST", "/v1/agencies", 201, json={"name": name, "kind": kind, "contact_email": "humas@kominfo.go.id"})

    def register(self, agency: dict, event_id: str, **overrides: Any) -> dict:
        return self.call(
            "POST",
            f"/v1/events/{event_id}/registrations",
            201,
            {"Authorization": f"Bearer {agency['api_key']}"},
            json=participant(**overrides),
        )


@pytest.fixture(scope="module")
def registration(tmp_path_factory) -> Registration:
    """One registration API (gunicorn, SQLite) for the module's tests; each test makes its own meetings."""
    data_dir = tmp_path_factory.mktemp("registration")
    group = ProcessGroup(data_dir)
    port = free_port()
    env = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "DATA_DIR": str(data_dir),
        "REGISTRATION_PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "REGISTRATION_DATABASE_URL": f"sqlite:///{data_dir / 'registration.db'}",
    }
    group.start(
        gunicorn_argv("services.registration.app:create_app()", port, workers=1),
        env=env,
        health_url=f"http://127.0.0.1:{port}/healthz",
        timeout=60,
    )
    yield Registration(f"http://127.0.0.1:{port}", env["REGISTRATION_DATABASE_URL"])
    group.stop_all()


class Console:
    """The console through Flask's test client, as a browser would use it (cookies, CSRF fields of the last page)."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()
        self.last_html = ""

    def get(self, path: str, status: int | None = 200, **kwargs: Any):
        response = self.client.get(path, **kwargs)
        if status is not None:
            assert response.status_code == status, f"GET {path}: {response.status_code} {response.text[:2000]}"
        if response.mimetype == "text/html":
            self.last_html = response.text
        return response

    def csrf(self, page: str = "") -> str:
        html = self.get(page).text if page else self.last_html
        return CSRF_FIELD.search(html).group(1)

    def post(self, path: str, data: dict | None = None, status: int | None = None, page: str = "", **kwargs: Any):
        """POST a form with the CSRF token of `page` (or of the last page fetched)."""
        response = self.client.post(path, data={"csrf_token": self.csrf(page), **(data or {})}, **kwargs)
        if status is not None:
            assert response.status_code == status, f"POST {path}: {response.status_code} {response.text[:2000]}"
        if response.mimetype == "text/html":
            self.last_html = response.text
        return response

    def sign_in(self, token: str = ADMIN_TOKEN):
        return self.post("/signin", {"token": token}, page="/signin")


def closed_port_url() -> str:
    """A URL where nothing listens: a service that is down."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def console_factory(tmp_path, registration):
    def make(**environ: str) -> Console:
        env = {
            "CONSOLE_SECRET_KEY": SECRET_KEY,
            "DATA_DIR": str(tmp_path),
            "REGISTRATION_URL": registration.url,
            "NOTIFICATION_URL": closed_port_url(),
            "STREAMING_URL": closed_port_url(),
            "CONSOLE_HTTP_TIMEOUT": "2",
            **environ,
        }
        return Console(create_app(load_console_settings(env)))

    return make


@pytest.fixture
def console(console_factory) -> Console:
    return console_factory()


@pytest.fixture
def signed_in(console) -> Console:
    response = console.sign_in()
    assert response.status_code == 302, response.text
    return console
