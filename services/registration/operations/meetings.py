"""Meetings: create, read, list, update (a change of time or venue raises the invitation sequence), cancel."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registration import payloads, store
from services.registration.domain.errors import InvalidInput, SeatsExhausted
from services.registration.domain.meetings import (
    CANCELLED,
    SCHEDULED,
    bumps_sequence,
    changed_fields,
    ensure_cancellable,
    ensure_scheduled,
    validate_meeting,
)
from services.registration.models import Meeting
from services.registration.operations.reading import reading
from services.registration.operations.seating import outbox, promote_waitlisted
from shared.db import utcnow
from shared.db.writers import writing


def _apply(meeting: Meeting, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name == "venue":
            meeting.venue_name, meeting.venue_address, meeting.venue_city = value["name"], value["address"], value.get("city")
            meeting.venue_latitude, meeting.venue_longitude = value.get("latitude"), value.get("longitude")
        elif name == "organizer":
            value = value or {}
            meeting.organizer_name, meeting.organizer_unit = value.get("name"), value.get("unit")
            meeting.organizer_signatory_name, meeting.organizer_signatory_title = value.get("signatory_name"), value.get("signatory_title")
        elif name == "channels":
            meeting.channels = ",".join(value)
        else:
            setattr(meeting, name, value)


def create_meeting(session_factory: Callable[[], Session], data: dict[str, Any]) -> tuple[Meeting, tuple[int, int]]:
    """Create a meeting (already validated by the schema) and record event.created."""
    now = utcnow()
    with writing(session_factory) as session:
        meeting = Meeting(id=str(uuid.uuid4()), sequence=0, status=SCHEDULED, created_at=now, updated_at=now)
        _apply(meeting, data)
        session.add(meeting)
        outbox.record(session, "event.created", payloads.meeting_changed(meeting, []))
    return meeting, (0, 0)


def get_meeting(session_factory: Callable[[], Session], event_id: str) -> tuple[Meeting, tuple[int, int]]:
    with reading(session_factory) as session:
        meeting = store.get_meeting(session, event_id)
        return meeting, store.seat_counts(session, [event_id])[event_id]


def list_meetings(session_factory: Callable[[], Session], status: str | None = None) -> list[tuple[Meeting, tuple[int, int]]]:
    query = select(Meeting).order_by(Meeting.starts_at, Meeting.id)
    if status is not None:
        query = query.where(Meeting.status == status)
    with reading(session_factory) as session:
        meetings = list(session.execute(query).scalars())
        counts = store.seat_counts(session, [m.id for m in meetings])
        return [(m, counts[m.id]) for m in meetings]


def update_meeting(session_factory: Callable[[], Session], event_id: str, changes: dict[str, Any]) -> tuple[Meeting, tuple[int, int]]:
    """Apply a partial update; record event.updated naming the changed fields; more seats promote the waitlist."""
    with writing(session_factory) as session:
        meeting = store.lock_meeting(session, event_id)
        ensure_scheduled(meeting.status, "changes to it are")
        current = payloads.meeting_fields(meeting)
        if "venue" in changes:
            changes = {**changes, "venue": {"city": None, "latitude": None, "longitude": None, **changes["venue"]}}
        if changes.get("organizer"):
            changes = {**changes, "organizer": {"unit": None, "signatory_name": None, "signatory_title": None, **changes["organizer"]}}
        merged = {**current, **changes}
        errors = validate_meeting(merged)
        if errors:
            raise InvalidInput(errors)
        changed = changed_fields(current, changes)
        state = store.seat_state(session, meeting)
        if merged["in_person_capacity"] < state.taken:
            raise SeatsExhausted(
                f"{state.taken} in-person seats are already confirmed; in_person_capacity cannot be lower. Cancel or move registrations online first."
            )
        if not changed:
            return meeting, (state.taken, state.waitlisted)
        _apply(meeting, {name: changes[name] for name in changed})
        meeting.updated_at = utcnow()
        if bumps_sequence(changed):
            meeting.sequence += 1
        outbox.record(session, "event.updated", payloads.meeting_changed(meeting, changed))
        state.capacity, state.quota = meeting.in_person_capacity, meeting.agency_in_person_quota
        promote_waitlisted(session, meeting, state, meeting.updated_at)
        return meeting, (state.taken, state.waitlisted)


def cancel_meeting(session_factory: Callable[[], Session], event_id: str, reason: str) -> tuple[Meeting, tuple[int, int]]:
    """Call the meeting off for good and record event.cancelled; registrations stay as they were, for the record."""
    with writing(session_factory) as session:
        # Under the meeting lock: a registration or check-in waiting for it sees the cancellation next.
        meeting = store.lock_meeting(session, event_id)
        ensure_cancellable(meeting.status)
        now = utcnow()
        meeting.status, meeting.cancelled_at, meeting.cancellation_reason = CANCELLED, now, reason
        meeting.updated_at = now
        outbox.record(session, "event.cancelled", payloads.meeting_cancelled(meeting))
        return meeting, store.seat_counts(session, [event_id])[event_id]
