"""Attendance: check-in at the door, online joins from the streaming service, stats and the attendance list."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import case, literal, or_, select, update
from sqlalchemy.orm import Session

from services.registration import store
from services.registration.domain.access import Caller
from services.registration.domain.attendance import AttendanceRow, summarize
from services.registration.domain.codes import normalize_code
from services.registration.domain.errors import Conflict, NotFound
from services.registration.domain.meetings import ensure_scheduled
from services.registration.domain.seats import CANCELLED, CONFIRMED, IN_PERSON
from services.registration.models import UTC_DATETIME, Registration
from services.registration.operations.seating import outbox, utcnow
from services.registration.operations.reading import reading
from services.registration.operations.writing import writing

log = logging.getLogger(__name__)


def check_in(session_factory, event_id: str, code: str) -> dict[str, Any]:
    """Record a door check-in once; a second scan answers with the first time."""
    with writing(session_factory) as session:
        ensure_scheduled(store.get_meeting(session, event_id).status, "check-ins are")
        # FOR UPDATE: two scans of one code at two doors at once must record one check-in (PostgreSQL;
        # SQLite's BEGIN IMMEDIATE already serializes them).
        registration = session.execute(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.check_in_code == normalize_code(code))
            .with_for_update()
        ).scalar_one_or_none()
        if registration is None:
            raise NotFound("No registration of this meeting has this check-in code.")
        if registration.status == CANCELLED:
            raise Conflict("This registration was cancelled; the check-in code is no longer valid.")
        if registration.status != CONFIRMED or registration.attendance_mode != IN_PERSON:
            raise Conflict("This registration has no confirmed in-person seat.")
        if registration.checked_in_at is None:
            registration.checked_in_at = registration.updated_at = utcnow()
            outbox.record(
                session,
                "registration.checked_in",
                {"registration_id": registration.id, "event_id": event_id, "at": registration.checked_in_at},
            )
        return {
            "registration_id": registration.id,
            "checked_in_at": registration.checked_in_at,
            "full_name": registration.full_name,
            "agency_name": store.agency_name(session, registration.agency_id),
        }


def record_online_join(session: Session, data: dict[str, Any]) -> None:
    """Note a stream.joined: the first join time and how many times the participant joined.

    One UPDATE, not read-then-write: the consumer handles events in parallel, and two joins of the
    same person must both count.
    """
    at = literal(data["at"], type_=UTC_DATETIME)  # through the column type: stored in UTC on SQLite too
    first = case((or_(Registration.online_joined_at.is_(None), Registration.online_joined_at > at), at), else_=Registration.online_joined_at)
    result = session.execute(
        update(Registration)
        .where(Registration.id == data["registration_id"], Registration.event_id == data["event_id"])
        .values(online_joined_at=first, online_join_count=Registration.online_join_count + 1)
        .execution_options(synchronize_session=False)
    ) if store.is_id(data["registration_id"]) else None
    if result is None or result.rowcount == 0:
        # Not ours to fix: a join for a registration this service never had. Keep the queue moving.
        log.warning("stream.joined for unknown registration %s of event %s", data["registration_id"], data["event_id"])


def _rows(session: Session, caller: Caller, event_id: str) -> list[AttendanceRow]:
    return [
        AttendanceRow(
            registration_id=r.id, agency_id=r.agency_id, agency_name=name, full_name=r.full_name, email=r.email,
            nip=r.nip, position=r.position, attendance_mode=r.attendance_mode, status=r.status,
            checked_in_at=r.checked_in_at, online_joined_at=r.online_joined_at, online_join_count=r.online_join_count,
        )
        for r, name in store.registrations_with_agency(session, event_id, caller.agency_id)
    ]


def stats(session_factory, caller: Caller, event_id: str) -> dict[str, Any]:
    """Counts per meeting and per agency; an agency sees only its own registrations."""
    with reading(session_factory) as session:
        meeting = store.get_meeting(session, event_id)
        taken, waitlisted = store.seat_counts(session, [event_id])[event_id]
        totals, agencies = summarize(_rows(session, caller, event_id))
    return {
        "event_id": event_id,
        "seats": {"capacity": meeting.in_person_capacity, "taken": taken, "waitlisted": waitlisted},
        "totals": totals,
        "agencies": agencies,
    }


def attendance(session_factory, caller: Caller, event_id: str) -> dict[str, Any]:
    """Every registration with its check-in and online join, plus the per-agency summary."""
    with reading(session_factory) as session:
        store.get_meeting(session, event_id)
        rows = _rows(session, caller, event_id)
    totals, agencies = summarize(rows)
    participants = [{**row.__dict__, "attended": row.attended} for row in rows]
    return {"event_id": event_id, "participants": participants, "agencies": agencies, "totals": totals}
