"""Attendance: online joins from the streaming service, stats and the attendance list (check-in is in door.py)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import case, func, literal, or_, update
from sqlalchemy.orm import Session

from services.registration import payloads, store
from services.registration.documents.attendance_pdf import render_attendance_pdf
from services.registration.documents.attendance_sheet import build_sheet
from services.registration.documents.attendance_xlsx import render_attendance_xlsx
from services.registration.domain.access import Caller
from services.registration.domain.attendance import AttendanceRow, OnlineRule, summarize
from services.registration.models import UTC_DATETIME, Meeting, Registration
from services.registration.operations.reading import reading
from shared.db import utcnow

log = logging.getLogger(__name__)


def record_online_join(session: Session, data: dict[str, Any]) -> None:
    """Note a stream.joined: the first join time and how many times the participant joined.

    One UPDATE, not read-then-write: the consumer handles events in parallel, and two joins of the
    same person must both count.
    """
    at = literal(data["at"], type_=UTC_DATETIME)  # through the column type: stored in UTC on SQLite too
    first = case(
        (or_(Registration.online_joined_at.is_(None), Registration.online_joined_at > at), at), else_=Registration.online_joined_at
    )
    result = (
        session.execute(
            update(Registration)
            .where(Registration.id == data["registration_id"], Registration.event_id == data["event_id"])
            .values(online_joined_at=first, online_join_count=Registration.online_join_count + 1)
            .execution_options(synchronize_session=False)
        )
        if store.is_id(data["registration_id"])
        else None
    )
    if result is None or result.rowcount == 0:
        # Not ours to fix: a join for a registration this service never had. Keep the queue moving.
        log.warning("stream.joined for unknown registration %s of event %s", data["registration_id"], data["event_id"])


def record_online_presence(session: Session, data: dict[str, Any]) -> None:
    """Note a stream.presence_recorded: the registration's minutes in the Zoom meeting, and that a report exists.

    Totals only grow (streaming only adds stays), so the larger of the stored and the new total wins:
    an older event delivered after a newer one cannot lower it. The report's first join moves the
    first join time earlier when it is. One UPDATE each, safe under parallel consumers.
    """
    if not (store.is_id(data["registration_id"]) and store.is_id(data["event_id"])):
        log.warning("stream.presence_recorded with an id this service never issues; ignored")
        return
    minutes = literal(data["minutes"])
    values: dict[str, Any] = {
        "online_minutes": case(
            (or_(Registration.online_minutes.is_(None), Registration.online_minutes < minutes), minutes), else_=Registration.online_minutes
        ),
    }
    if data.get("first_join_at") is not None:
        at = literal(data["first_join_at"], type_=UTC_DATETIME)
        values["online_joined_at"] = case(
            (or_(Registration.online_joined_at.is_(None), Registration.online_joined_at > at), at), else_=Registration.online_joined_at
        )
    result = session.execute(
        update(Registration)
        .where(Registration.id == data["registration_id"], Registration.event_id == data["event_id"])
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        log.warning("stream.presence_recorded for unknown registration %s of event %s", data["registration_id"], data["event_id"])
        return
    session.execute(
        update(Meeting)
        .where(Meeting.id == data["event_id"])
        .values(presence_reported_at=func.coalesce(Meeting.presence_reported_at, literal(utcnow(), type_=UTC_DATETIME)))
        .execution_options(synchronize_session=False)
    )


def online_rule(meeting: Meeting) -> OnlineRule:
    """The meeting's rule for online attendance: its report and minimum once a report has arrived."""
    return OnlineRule(report_exists=meeting.presence_reported_at is not None, min_minutes=meeting.min_online_minutes or 0)


def _rows(session: Session, caller: Caller, event_id: str, rule: OnlineRule) -> list[AttendanceRow]:
    return [
        AttendanceRow(
            registration_id=r.id,
            agency_id=r.agency_id,
            agency_name=name,
            full_name=r.full_name,
            email=r.email,
            nip=r.nip,
            position=r.position,
            attendance_mode=r.attendance_mode,
            status=r.status,
            checked_in_at=r.checked_in_at,
            online_joined_at=r.online_joined_at,
            online_join_count=r.online_join_count,
            online_minutes=r.online_minutes,
            rule=rule,
        )
        for r, name in store.registrations_with_agency(session, event_id, caller.agency_id)
    ]


def stats(session_factory, caller: Caller, event_id: str) -> dict[str, Any]:
    """Counts per meeting and per agency; an agency sees only its own registrations."""
    with reading(session_factory) as session:
        meeting = store.get_meeting(session, event_id)
        taken, waitlisted = store.seat_counts(session, [event_id])[event_id]
        totals, agencies = summarize(_rows(session, caller, event_id, online_rule(meeting)))
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
        rule = online_rule(meeting)
        rows = _rows(session, caller, event_id, rule)
    totals, agencies = summarize(rows)
    participants = [
        {**{k: v for k, v in row.__dict__.items() if k != "rule"}, "first_join_at": row.first_join_at, "attended": row.attended}
        for row in rows
    ]
    heading = {
        "title": meeting.title,
        "timezone": meeting.timezone,
        "starts_at": meeting.starts_at,
        "venue_name": meeting.venue_name,
        "venue_address": meeting.venue_address,
        "venue_city": meeting.venue_city,
        "organizer": payloads.organizer(meeting),
        "online_report": rule.report_exists,
        "min_online_minutes": rule.min_minutes,
    }
    return {
        "event_id": event_id,
        "online_report": rule.report_exists,
        "min_online_minutes": rule.min_minutes,
        "meeting": heading,
        "participants": participants,
        "agencies": agencies,
        "totals": totals,
    }


RENDERERS = {"pdf": render_attendance_pdf, "xlsx": render_attendance_xlsx}


def attendance_document(session_factory, caller: Caller, event_id: str, kind: str) -> bytes:
    """The attendance list as a PDF daftar hadir or an XLSX workbook; an agency's holds only its own people."""
    report = attendance(session_factory, caller, event_id)
    sheet = build_sheet(report["meeting"], report["participants"], report["agencies"], report["totals"])
    return RENDERERS[kind](sheet)
