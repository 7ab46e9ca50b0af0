"""Payloads as the bus carries them, with defaults from the model meeting (Rakor JFPH, Hotel Aviary, 1 Desember 2021)."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

_numbers = itertools.count(1)

MEETING_ID = "evt-rakor-jfph-2021"


def make_meeting(**overrides: Any) -> dict[str, Any]:
    meeting = {
        "id": MEETING_ID,
        "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
        "theme": "Tantangan Pranata Humas di Era Disrupsi",
        "starts_at": "2021-12-01T09:00:00+07:00",
        "ends_at": "2021-12-01T12:00:00+07:00",
        "timezone": "Asia/Jakarta",
        "venue": {"name": "Hotel Aviary", "address": "Jl. Raya Sudimara Pinang No. 88, Bintaro", "city": "Tangerang Selatan"},
        "health_protocol": "Peserta wajib bermasker, menjaga jarak, dan menunjukkan sertifikat vaksin di aplikasi PeduliLindungi.",
        "online": True,
        "sequence": 0,
    }
    meeting.update(overrides)
    return meeting


def make_participant(**overrides: Any) -> dict[str, Any]:
    n = next(_numbers)
    participant = {
        "full_name": f"Rina Wulandari {n}",
        "email": f"rina.wulandari{n}@kominfo.go.id",
        "phone": f"+62812345{n:05d}",
        "locale": "id",
        "nip": None,
        "position": "Pranata Humas Ahli Muda",
    }
    participant.update(overrides)
    return participant


def make_registration(status: str = "confirmed", attendance_mode: str = "in_person", **overrides: Any) -> dict[str, Any]:
    """registration.confirmed / promoted / waitlisted / mode_changed payload."""
    data = {
        "registration_id": overrides.pop("registration_id", f"reg-{uuid.uuid4().hex[:12]}"),
        "event_id": MEETING_ID,
        "agency_id": "agency-kominfo",
        "agency_name": "Ditjen IKP Kementerian Kominfo",
        "participant": overrides.pop("participant", None) or make_participant(),
        "attendance_mode": attendance_mode,
        "status": status,
        "check_in_code": "K7Q2XP" if attendance_mode == "in_person" and status == "confirmed" else None,
        "waitlist_position": None,
        "meeting": overrides.pop("meeting", None) or make_meeting(),
    }
    data.update(overrides)
    return data


def make_cancellation(registration: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "registration_id": registration["registration_id"],
        "event_id": registration["event_id"],
        "agency_id": registration["agency_id"],
        "participant": registration["participant"],
        "attendance_mode": registration["attendance_mode"],
        "previous_status": registration["status"],
        "meeting": registration["meeting"],
    }
    data.update(overrides)
    return data


def make_link_issued(registration: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "registration_id": registration["registration_id"],
        "event_id": registration["event_id"],
        "participant": registration["participant"],
        "join_url": f"https://rakor.example.go.id/j/{uuid.uuid4().hex}",
        "youtube_url": "https://www.youtube.com/watch?v=ditjenikp2021",
        "channel_kinds": ["zoom", "youtube"],
        "meeting": registration["meeting"],
    }
    data.update(overrides)
    return data


def make_meeting_update(changed_fields: list[str], **overrides: Any) -> dict[str, Any]:
    data = make_meeting(**overrides)
    data["changed_fields"] = changed_fields
    return data


def make_meeting_cancelled(
    reason: str | None = "Bertepatan dengan agenda pimpinan yang tidak dapat ditunda", **overrides: Any
) -> dict[str, Any]:
    """event.cancelled payload: the meeting as called off, why and when."""
    data = make_meeting(**{"status": "cancelled", **overrides})
    data.update(reason=reason, cancelled_at="2021-11-25T10:00:00+07:00")
    return data


def make_upcoming_meeting(starts_in_seconds: float, reminders: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    """A meeting starting `starts_in_seconds` from now (whole seconds, UTC), with the given reminders."""
    import datetime as dt

    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=starts_in_seconds)).replace(microsecond=0)
    return make_meeting(
        **{"starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=3)).isoformat(), "reminders": reminders, **overrides}
    )


def make_certificate_issued(**overrides: Any) -> dict[str, Any]:
    """certificate.issued as registration sends it: certificate 004 of the meeting, to an in-person participant."""
    body = {
        "certificate_id": "q8Hx3kPZ0bT1vW9yA2cD4e",
        "registration_id": "1c7e0b52-2a55-4d44-9d7b-3b5b6c1f0a11",
        "event_id": make_meeting()["id"],
        "agency_id": "agc-diskominfo-jateng",
        "number": "004/SERT/DJIKP/2021",
        "agency_name": "Dinas Kominfo Provinsi Jawa Tengah",
        "meeting_title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
        "meeting_date": "2021-12-01",
        "hours": 8,
        "verify_url": "http://localhost:8001/c/q8Hx3kPZ0bT1vW9yA2cD4e",
        "issued_at": "2021-12-01T17:00:00+07:00",
        "participant": make_participant(nip="198507122010012003"),
        "meeting": make_meeting(),
    }
    body.update(overrides)
    return body


# The certificate as it stands in a notification's context (what certificate.* templates render).
CERTIFICATE = {
    "certificate_id": "q8Hx3kPZ0bT1vW9yA2cD4e",
    "number": "007/SERT/DJIKP/2021",
    "full_name": "Andi Pratama",
    "nip": "198507122010011001",
    "position": "Pranata Humas Ahli Muda",
    "agency_name": "Dinas Kominfo Provinsi Jawa Tengah",
    "meeting_title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
    "meeting_date": "2021-12-01",
    "hours": 8,
    "verify_url": "https://rakor.example.go.id/c/q8Hx3kPZ0bT1vW9yA2cD4e",
}


AGENCY_ID = "agency-kominfo"


def make_agency(**overrides: Any) -> dict[str, Any]:
    """agency.updated payload: the agency of make_registration(), its digest on."""
    agency = {
        "agency_id": AGENCY_ID,
        "name": "Ditjen IKP Kementerian Kominfo",
        "contact_email": "kepegawaian.ikp@kominfo.go.id",
        "digest_enabled": True,
        "locale": "id",
        "updated_at": "2021-11-01T08:00:00+07:00",
    }
    agency.update(overrides)
    return agency


def make_bulk_processed(**overrides: Any) -> dict[str, Any]:
    """agency.bulk_processed payload: 3 created, 1 duplicate, 2 refused rows."""
    data = {
        "request_id": f"bulk-{uuid.uuid4().hex[:8]}",
        "agency_id": AGENCY_ID,
        "event_id": MEETING_ID,
        "created": 3,
        "duplicates": 1,
        "invalid": [
            {"row": 4, "errors": {"email": ["Not a valid email address."]}},
            {
                "row": 5,
                "errors": {
                    "phone": ["Use an Indonesian mobile number (08… or +62…)."],
                    "attendance_mode": ["Must be one of: in_person, online."],
                },
            },
        ],
        "agency": overrides.pop("agency", None) or make_agency(),
        "meeting": overrides.pop("meeting", None) or make_meeting(),
    }
    data.update(overrides)
    return data
