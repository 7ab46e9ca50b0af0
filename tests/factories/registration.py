"""Request bodies of the registration API: distinct participants, a meeting; door tokens made through the API."""

from __future__ import annotations

import itertools
from typing import Any

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


def make_door_token(client, event_id: str, admin: dict[str, str], label: str = "Pintu utama 1", **body: Any) -> dict[str, Any]:
    """A door token of the meeting made through the registration API (its value is in ["token"], shown this once)."""
    response = client.post(f"/v1/events/{event_id}/door-tokens", json={"label": label, **body}, headers=admin)
    assert response.status_code == 201, response.json
    return response.json
