"""Payloads of the streaming tests: meetings running now, registrations of four participants in turn, channel links."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

ZOOM_URL = "https://us02web.zoom.us/j/81234567890?pwd=UmFrb3JIdW1hcw"
YOUTUBE_URL = "https://www.youtube.com/watch?v=DitjenIKP21"

PEOPLE = [
    ("Rina Wulandari", "rina.wulandari@kominfo.go.id", "+6281234567890", "Kementerian Komunikasi dan Informatika"),
    ("Budi Santoso", "budi.santoso@jabarprov.go.id", "+6281398765432", "Diskominfo Provinsi Jawa Barat"),
    ("Dewi Lestari", "dewi.lestari@bkn.go.id", None, "Badan Kepegawaian Negara"),
    ("Agus Prasetyo", "agus.prasetyo@menpan.go.id", "+6285712345678", "Kementerian PAN-RB"),
]
_names = itertools.cycle(PEOPLE)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_meeting(event_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """The meeting as registration describes it on the bus; running now unless the times are overridden."""
    now = utcnow()
    meeting = {
        "id": event_id or str(uuid.uuid4()),
        "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
        "theme": "Tantangan Pranata Humas di Era Disrupsi",
        "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
        "ends_at": (now + dt.timedelta(hours=6)).isoformat(),
        "timezone": "Asia/Jakarta",
        "venue": {"name": "Hotel Aviary", "address": "Jl. Lingkar Barat, Bintaro", "city": "Tangerang Selatan"},
        "health_protocol": "Masker, jaga jarak, cuci tangan",
        "online": True,
        "sequence": 0,
    }
    meeting.update(overrides)
    return meeting


def make_registration(
    meeting: dict[str, Any], *, status: str = "confirmed", mode: str = "online", registration_id: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """A registration.confirmed-shaped payload for one participant of `meeting`."""
    full_name, email, phone, agency = next(_names)
    data = {
        "registration_id": registration_id or str(uuid.uuid4()),
        "event_id": meeting["id"],
        "agency_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, agency)),
        "agency_name": agency,
        "participant": {"full_name": full_name, "email": email, "phone": phone, "locale": "id"},
        "attendance_mode": mode,
        "status": status,
        "check_in_code": "K7Q2M9" if mode == "in_person" and status == "confirmed" else None,
        "meeting": meeting,
    }
    data.update(overrides)
    return data
