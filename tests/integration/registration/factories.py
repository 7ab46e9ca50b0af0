"""Small factories for registration tests: participants, agencies, meetings and registrations through the API."""
from __future__ import annotations

import itertools
import json
from typing import Any

from sqlalchemy import text

ADMIN_TOKEN = "organizer-token-ditjen-ikp-2021"
_counter = itertools.count(1)


def participant(**overrides: Any) -> dict[str, Any]:
    """A distinct, valid participant (unique email, NIP and mobile number per call)."""
    n = next(_counter)
    body = {
        "full_name": f"Rina Wulandari {n}",
        "email": f"rina.wulandari{n}@kominfo.go.id",
        "phone": f"0812{n:08d}",
        "nip": f"1985{1 + (n // 999) % 12:02d}{1 + (n // 11988) % 28:02d}2010012{1 + n % 999:03d}",
        "position": "Pranata Humas Ahli Muda",
        "attendance_mode": "in_person",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def meeting_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
        "theme": "Penguatan peran Pranata Humas dalam komunikasi publik pemerintah",
        "starts_at": "2031-12-01T09:00:00+07:00",
        "ends_at": "2031-12-01T16:00:00+07:00",
        "timezone": "Asia/Jakarta",
        "venue": {"name": "Hotel Aviary Bintaro", "address": "Jl. Boulevard Bintaro Jaya Blok B7/A1", "city": "Tangerang Selatan"},
        "in_person_capacity": 3,
        "health_protocol": "Peserta wajib sudah divaksin dua kali dan hasil antigen negatif.",
    }
    body.update(overrides)
    return body


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
        response = self.client.post("/v1/agencies", json={"name": name, "kind": kind, "contact_email": "humas@kominfo.go.id"}, headers=self.admin)
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
                text("SELECT id, agency_id, status, attendance_mode, waitlist_position, check_in_code FROM registrations WHERE event_id = :e"),
                {"e": event_id},
            ).all()
