"""Attendance: online joins from the streaming service, stats and the attendance list (check-in is in door.py)."""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import case, literal, or_, update
from sqlalchemy.orm import Session

from services.registration import store
from services.registration.domain.access import Caller
from services.registration.documents.attendance_pdf import render_attendance_pdf
from services.registration.documents.attendance_sheet import build_sheet
from services.registration.documents.attendance_xlsx import render_attendance_xlsx
from services.registration.domain.attendance import AttendanceRow, summarize
from services.registration.models import UTC_DATETIME, Registration
from services.registration.operations.reading import reading

log = logging.getLogger(__name__)


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
        meeting = store.get_meeting(session, event_id)
        rows = _rows(session, caller, event_id)
    totals, agencies = summarize(rows)
    participants = [{**row.__dict__, "attended": row.attended} for row in rows]
    heading = {
        "title": meeting.title, "timezone": meeting.timezone, "starts_at": meeting.starts_at,
        "venue_name": meeting.venue_name, "venue_address": meeting.venue_address, "venue_city": meeting.venue_city,
    }
    return {"event_id": event_id, "meeting": heading, "participants": participants, "agencies": agencies, "totals": totals}


RENDERERS = {"pdf": render_attendance_pdf, "xlsx": render_attendance_xlsx}


def attendance_document(session_factory, caller: Caller, event_id: str, kind: str) -> bytes:
    """The attendance list as a PDF daftar hadir or an XLSX workbook; an agency's holds only its own people."""
    report = attendance(session_factory, caller, event_id)
    sheet = build_sheet(report["meeting"], report["participants"], report["agencies"], report["totals"])
    return RENDERERS[kind](sheet)
