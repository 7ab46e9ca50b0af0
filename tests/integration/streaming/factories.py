"""Factories and probes for streaming tests: meetings, registrations, a bus feeder, outbox and link readers."""
from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from typing import Any

from sqlalchemy import text

from services.streaming.handlers import HANDLERS
from shared.messaging.handling import ACK, process_message

ADMIN_TOKEN = "ditjen-ikp-admin-token-2021"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PUBLIC_BASE_URL = "https://rakor.kominfo.go.id"
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
    return dt.datetime.now(dt.timezone.utc)


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


def make_registration(meeting: dict[str, Any], *, status: str = "confirmed", mode: str = "online", registration_id: str | None = None, **overrides: Any) -> dict[str, Any]:
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


def make_envelope(event_type: str, data: dict[str, Any], *, occurred_at: dt.datetime | None = None, event_id: str | None = None) -> bytes:
    """The JSON body registration's relay would publish for this event."""
    body = {
        "id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "version": 1,
        "occurred_at": (occurred_at or utcnow()).isoformat(),
        "producer": "registration",
        "correlation_id": None,
        "data": data,
    }
    return json.dumps(body).encode()


class Feeder:
    """Delivers events to the streaming handlers through the real message path (parse, dedupe, handle, commit)."""

    def __init__(self, session_factory, settings):
        self.session_factory, self.settings = session_factory, settings
        self._clock = utcnow() - dt.timedelta(minutes=10)

    def envelope(self, event_type: str, data: dict[str, Any], occurred_at: dt.datetime | None = None, event_id: str | None = None) -> bytes:
        if occurred_at is None:
            self._clock += dt.timedelta(milliseconds=10)
            occurred_at = self._clock
        return make_envelope(event_type, data, occurred_at=occurred_at, event_id=event_id)

    def __call__(self, event_type: str, data: dict[str, Any], **kwargs) -> None:
        outcome = process_message(
            self.envelope(event_type, data, **kwargs), attempt=1, handlers=HANDLERS, session_factory=self.session_factory, deps=self.settings
        )
        assert outcome.action == ACK, outcome

    def cancel(self, registration: dict[str, Any]) -> None:
        data = {k: v for k, v in registration.items() if k not in ("status", "check_in_code", "waitlist_position")}
        self("registration.cancelled", {**data, "previous_status": registration["status"]})

    def change_mode(self, registration: dict[str, Any], mode: str) -> dict[str, Any]:
        changed = {**registration, "attendance_mode": mode, "previous_mode": registration["attendance_mode"]}
        self("registration.mode_changed", changed)
        return changed


def set_channels(client, event_id: str, *, zoom: str | None = ZOOM_URL, youtube: str | None = YOUTUBE_URL) -> None:
    if zoom:
        assert client.put(f"/v1/events/{event_id}/channels/zoom", json={"url": zoom, "meeting_id": "812 3456 7890", "passcode": "humas21"}, headers=ADMIN).status_code == 200
    if youtube:
        assert client.put(f"/v1/events/{event_id}/channels/youtube", json={"url": youtube}, headers=ADMIN).status_code == 200


def outbox_events(session_factory, event_type: str | None = None) -> list[dict[str, Any]]:
    """Envelopes written to the outbox, oldest first."""
    with session_factory() as session:
        rows = session.execute(text("SELECT event_type, body FROM outbox ORDER BY id")).all()
    return [json.loads(body) for kind, body in rows if event_type is None or kind == event_type]


def token_of(envelope: dict[str, Any]) -> str:
    return envelope["data"]["join_url"].rsplit("/j/", 1)[1]


def links_of(session_factory, registration_id: str) -> list[tuple]:
    with session_factory() as session:
        return session.execute(
            text("SELECT id, token_hash, revoked_at, revoke_reason FROM links WHERE registration_id = :r ORDER BY id"), {"r": registration_id}
        ).all()


def eligible(session_factory, registration_id: str) -> bool | None:
    with session_factory() as session:
        value = session.execute(text("SELECT eligible FROM participants WHERE registration_id = :r"), {"r": registration_id}).scalar()
    return None if value is None else bool(value)
