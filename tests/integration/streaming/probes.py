"""Probes for streaming tests: the organizer token, a bus feeder, outbox and link readers (builders: tests/factories)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import text

from services.streaming.handlers import HANDLERS
from shared.messaging.handling import ACK, process_message
from tests.factories.envelopes import make_envelope
from tests.factories.streaming import YOUTUBE_URL, ZOOM_URL, utcnow

ADMIN_TOKEN = "ditjen-ikp-admin-token-2021"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PUBLIC_BASE_URL = "https://rakor.kominfo.go.id"


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
            self.envelope(event_type, data, **kwargs),
            attempt=1,
            handlers=HANDLERS,
            session_factory=self.session_factory,
            deps=self.settings,
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
        assert (
            client.put(
                f"/v1/events/{event_id}/channels/zoom",
                json={"url": zoom, "meeting_id": "812 3456 7890", "passcode": "humas21"},
                headers=ADMIN,
            ).status_code
            == 200
        )
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
            text("SELECT id, token_hash, revoked_at, revoke_reason FROM links WHERE registration_id = :r ORDER BY id"),
            {"r": registration_id},
        ).all()


def eligible(session_factory, registration_id: str) -> bool | None:
    with session_factory() as session:
        value = session.execute(text("SELECT eligible FROM participants WHERE registration_id = :r"), {"r": registration_id}).scalar()
    return None if value is None else bool(value)
