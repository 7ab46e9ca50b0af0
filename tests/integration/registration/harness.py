"""The registration API through the Flask test client for registration tests (payload builders: tests/factories)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from tests.factories.registration import meeting_body, participant
from tests.fixtures.processes import free_port, gunicorn_argv

ADMIN_TOKEN = "organizer-token-ditjen-ikp-2021"


class RegistrationApi:
    """The registration API through the Flask test client, as the organizer and as agencies."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    @staticmethod
    def bearer(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def make_agency(self, name: str = "Biro Humas Kementerian Kominfo", kind: str = "ministry") -> dict[str, Any]:
        response = self.client.post(
            "/v1/agencies", json={"name": name, "kind": kind, "contact_email": "humas@kominfo.go.id"}, headers=self.admin
        )
        assert response.status_code == 201, response.json
        agency = response.json
        agency["headers"] = self.bearer(agency["api_key"])
        return agency

    def make_event(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post("/v1/events", json=meeting_body(**overrides), headers=self.admin)
        assert response.status_code == 201, response.json
        return response.json

    def register(self, agency: dict, event_id: str, expect: int | None = 201, headers: dict | None = None, **overrides: Any):
        response = self.client.post(
            f"/v1/events/{event_id}/registrations", json=participant(**overrides), headers={**agency["headers"], **(headers or {})}
        )
        if expect is not None:
            assert response.status_code == expect, response.json
        return response.json if expect in (200, 201) else response

    def get(self, path: str, who: dict | None = None):
        return self.client.get(path, headers=(who or {}).get("headers", self.admin) if who else self.admin)

    def outbox(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """Envelopes written to the outbox table, oldest first."""
        engine = self.app.extensions["rakor_engine"]
        query = "SELECT body FROM outbox" + (" WHERE event_type = :t" if event_type else "") + " ORDER BY id"
        with engine.connect() as connection:
            rows = connection.execute(text(query), {"t": event_type}).all()
        return [json.loads(row.body) for row in rows]

    def registration_rows(self, event_id: str) -> list[Any]:
        engine = self.app.extensions["rakor_engine"]
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT id, agency_id, status, attendance_mode, waitlist_position, check_in_code FROM registrations WHERE event_id = :e"
                ),
                {"e": event_id},
            ).all()


def serve_under_gunicorn(start_process, tmp_path, database_url: str, **extra_env: str) -> str:
    """The registration API under gunicorn with 3 workers on `database_url`, healthy; its base URL.

    Several processes are what the seat tests need: their transactions really interleave.
    """
    port = free_port()
    env = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path),
        "AGENCY_RATE_LIMIT": "100000",
        "LOG_LEVEL": "WARNING",
        **extra_env,
    }
    base = f"http://127.0.0.1:{port}"
    start_process(
        gunicorn_argv("services.registration.app:create_app()", port, workers=3), env=env, health_url=f"{base}/healthz", timeout=60
    )
    return base
