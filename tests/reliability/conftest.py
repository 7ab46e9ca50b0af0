"""Fault tests' rig: the real service processes wired to the test vhost, SMTP and SMS servers, behind cuttable proxies."""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.factories import registration as factories
from tests.fixtures import polling
from tests.fixtures.processes import ProcessHandle, gunicorn_argv

ADMIN_TOKEN = "uji-token-admin-rakor-keandalan"


def wait_until(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """The shared poll (tests/fixtures/polling.py) at the fault tests' pace: every 0.2 s unless told otherwise."""
    return polling.wait_until(condition, timeout, what, every)


def participant_body(**overrides: Any) -> dict[str, Any]:
    """A distinct participant of the model meeting, online unless told otherwise (the registration factory)."""
    return factories.participant(**{"attendance_mode": "online", **overrides})


def meeting_body(**overrides: Any) -> dict[str, Any]:
    """The model meeting with room for the load the fault tests send (the registration factory)."""
    return factories.meeting_body(**{"ends_at": "2031-12-01T12:00:00+07:00", "in_person_capacity": 150, **overrides})


class RegistrationClient:
    """The registration API over real HTTP, as the organizer and as one agency."""

    def __init__(self, base_url: str, timeout: float = 5.0):
        self.base_url = base_url
        self.timeout = timeout
        self.admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        self.agency_headers: dict[str, str] = {}

    def make_agency(self, name: str = "Biro Humas Pemerintah Provinsi Jawa Barat", kind: str = "province") -> dict[str, Any]:
        response = requests.post(
            f"{self.base_url}/v1/agencies",
            json={"name": name, "kind": kind, "contact_email": "humas@jabarprov.go.id"},
            headers=self.admin,
            timeout=self.timeout,
        )
        assert response.status_code == 201, response.text
        agency = response.json()
        self.agency_headers = {"Authorization": f"Bearer {agency['api_key']}"}
        return agency

    def make_event(self, **overrides: Any) -> dict[str, Any]:
        response = requests.post(f"{self.base_url}/v1/events", json=meeting_body(**overrides), headers=self.admin, timeout=self.timeout)
        assert response.status_code == 201, response.text
        return response.json()

    def register(self, event_id: str, **overrides: Any) -> requests.Response:
        """POST one registration; raises requests' Timeout if the API does not answer in time."""
        return requests.post(
            f"{self.base_url}/v1/events/{event_id}/registrations",
            json=participant_body(**overrides),
            headers=self.agency_headers,
            timeout=self.timeout,
        )


@dataclass
class Rig:
    """Starts the services' processes for one test with a shared environment (see ``rig`` fixture)."""

    start_process: Callable[..., ProcessHandle]
    free_port: Callable[[], int]
    data_dir: Path
    env: dict[str, str]
    processes: dict[str, ProcessHandle] = field(default_factory=dict)

    def service_env(self, service: str, **extra: str) -> dict[str, str]:
        directory = self.data_dir / service
        directory.mkdir(exist_ok=True)
        env = {"DATA_DIR": str(directory), "DATABASE_URL": f"sqlite:///{directory / (service + '.db')}", **self.env}
        env.update(extra)
        return env

    def api(self, service: str, **extra: str) -> str:
        """Serve ``service``'s API under gunicorn; return its base URL once /healthz answers."""
        port = self.free_port()
        env = self.service_env(service, **{f"{service.upper()}_PORT": str(port)}, **extra)
        self.processes[f"{service}-api"] = self.start_process(
            gunicorn_argv(f"services.{service}.app:create_app()", port), env=env, health_url=f"http://127.0.0.1:{port}/healthz", timeout=60
        )
        return f"http://127.0.0.1:{port}"

    def background(self, service: str, role: str, **extra: str) -> ProcessHandle:
        """Start ``python -m services.<service>.<role>`` (worker or relay)."""
        handle = self.start_process(["python", "-m", f"services.{service}.{role}"], env=self.service_env(service, **extra))
        self.processes[f"{service}-{role}"] = handle
        return handle


@pytest.fixture
def rig(start_process, tmp_path, amqp_url) -> Rig:
    """Processes share DATA_DIR per service (so a relay reads its API's SQLite file) and the test vhost."""
    from tests.fixtures.processes import free_port

    # The fault tests send as fast as the API answers (a 503 comes back in about a millisecond); the
    # agency rate limit is not what they test, and at its default it would answer some of them 429.
    env = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "RABBITMQ_URL": amqp_url,
        "LOG_LEVEL": "WARNING",
        "SMTP_FROM": "Panitia Rakor <rakor@kominfo.go.id>",
        "AGENCY_RATE_LIMIT": "1000000",
        # Notification sends only join links under it: the base of the links the factories make.
        "PUBLIC_BASE_URL": "https://rakor.example.go.id",
    }
    return Rig(start_process, free_port, tmp_path, env)


def mails_by_recipient(smtp_server) -> collections.Counter:
    """How many mails each address received."""
    return collections.Counter(address for received in smtp_server.messages for address in received.rcpt_tos)


def sms_by_recipient(sms_gateway) -> collections.Counter:
    return collections.Counter(message["to"] for message in sms_gateway.messages)


def phone_e164(local: str) -> str:
    """The stored form of an Indonesian mobile number given as 08…."""
    return "+62" + local[1:]
