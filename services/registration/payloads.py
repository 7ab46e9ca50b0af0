"""Event payloads built from the tables: the meeting snapshot and the participant contact every consumer needs."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from services.registration.models import Agency, Certificate, Meeting, Registration


def _local(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(zone)


def meeting_fields(meeting: Meeting) -> dict[str, Any]:
    """The meeting's editable fields, as the API and the PATCH comparison see them.

    Times are given in the meeting's own time zone (09:00+07:00, not 02:00Z), the way the
    organizer and the participants read them, whatever offset they were sent with.
    """
    zone = zoneinfo.ZoneInfo(meeting.timezone)
    return {
        "title": meeting.title,
        "theme": meeting.theme,
        "starts_at": _local(meeting.starts_at, zone),
        "ends_at": _local(meeting.ends_at, zone),
        "timezone": meeting.timezone,
        "venue": {
            "name": meeting.venue_name,
            "address": meeting.venue_address,
            "city": meeting.venue_city,
            "latitude": meeting.venue_latitude,
            "longitude": meeting.venue_longitude,
        },
        "in_person_capacity": meeting.in_person_capacity,
        "agency_in_person_quota": meeting.agency_in_person_quota,
        "online": meeting.online,
        "health_protocol": meeting.health_protocol,
        "registration_closes_at": _local(meeting.registration_closes_at, zone),
        "reminders": meeting.reminders,
        "certificate_hours": meeting.certificate_hours,
        "min_online_minutes": meeting.min_online_minutes,
        "channels": meeting.channels.split(","),
        "organizer": organizer(meeting),
    }


def organizer(meeting: Meeting) -> dict[str, Any] | None:
    if not meeting.organizer_name:
        return None
    return {
        "name": meeting.organizer_name,
        "unit": meeting.organizer_unit,
        "signatory_name": meeting.organizer_signatory_name,
        "signatory_title": meeting.organizer_signatory_title,
    }


def meeting_snapshot(meeting: Meeting) -> dict[str, Any]:
    """The meeting as it travels in every registration event (shared MeetingSchema)."""
    fields = meeting_fields(meeting)
    return {
        "id": meeting.id,
        "title": fields["title"],
        "theme": fields["theme"],
        "starts_at": fields["starts_at"],
        "ends_at": fields["ends_at"],
        "timezone": fields["timezone"],
        "venue": fields["venue"],
        "health_protocol": fields["health_protocol"],
        "online": fields["online"],
        "channels": fields["channels"],
        "organizer": fields["organizer"],
        "sequence": meeting.sequence,
        "status": meeting.status,
        "reminders": fields["reminders"],
    }


def meeting_changed(meeting: Meeting, changed: list[str]) -> dict[str, Any]:
    """event.created / event.updated."""
    return {**meeting_snapshot(meeting), "changed_fields": changed}


def meeting_cancelled(meeting: Meeting) -> dict[str, Any]:
    """event.cancelled: the meeting as it was called off, the organizer's reason and when."""
    return {**meeting_snapshot(meeting), "reason": meeting.cancellation_reason, "cancelled_at": meeting.cancelled_at}


def contact(registration: Registration) -> dict[str, Any]:
    return {
        "full_name": registration.full_name,
        "email": registration.email,
        "phone": registration.phone,
        "locale": registration.locale,
        "nip": registration.nip,
        "position": registration.position,
    }


def registration_event(registration: Registration, meeting: Meeting, agency_name: str | None, **extra: Any) -> dict[str, Any]:
    """registration.confirmed / waitlisted / promoted / mode_changed (extra: previous_mode)."""
    return {
        "registration_id": registration.id,
        "event_id": registration.event_id,
        "agency_id": registration.agency_id,
        "agency_name": agency_name,
        "participant": contact(registration),
        "attendance_mode": registration.attendance_mode,
        "status": registration.status,
        "check_in_code": registration.check_in_code,
        "waitlist_position": registration.waitlist_position,
        "meeting": meeting_snapshot(meeting),
        **extra,
    }


def cancelled_event(registration: Registration, meeting: Meeting, previous_status: str) -> dict[str, Any]:
    return {
        "registration_id": registration.id,
        "event_id": registration.event_id,
        "agency_id": registration.agency_id,
        "participant": contact(registration),
        "attendance_mode": registration.attendance_mode,
        "previous_status": previous_status,
        "meeting": meeting_snapshot(meeting),
    }


def certificate_issued(certificate: Certificate, registration: Registration, meeting: Meeting, verify_url: str) -> dict[str, Any]:
    """certificate.issued: the certificate's own copy of who and what, plus where to send it."""
    return {
        "certificate_id": certificate.id,
        "registration_id": certificate.registration_id,
        "event_id": certificate.event_id,
        "agency_id": certificate.agency_id,
        "number": certificate.number,
        "agency_name": certificate.agency_name,
        "meeting_title": certificate.meeting_title,
        "meeting_date": certificate.meeting_date,
        "hours": certificate.hours,
        "verify_url": verify_url,
        "issued_at": certificate.issued_at,
        "participant": {
            **contact(registration),
            "full_name": certificate.full_name,
            "nip": certificate.nip,
            "position": certificate.position,
        },
        "meeting": meeting_snapshot(meeting),
    }


def agency_updated(agency: Agency) -> dict[str, Any]:
    """agency.updated: what mail to the agency's contact needs (never its keys)."""
    return {
        "agency_id": agency.id,
        "name": agency.name,
        "contact_email": agency.contact_email,
        "digest_enabled": agency.digest_enabled,
        "locale": agency.locale,
        "updated_at": agency.updated_at or agency.created_at,
    }


def bulk_processed(request_id: str, agency: Agency, meeting: Meeting, results: list[dict[str, Any]]) -> dict[str, Any]:
    """agency.bulk_processed: the counts of one bulk request and every refused row with its messages."""
    outcomes = [r["outcome"] for r in results]
    return {
        "request_id": request_id,
        "agency_id": agency.id,
        "event_id": meeting.id,
        "created": outcomes.count("created"),
        "duplicates": outcomes.count("duplicate"),
        "invalid": [{"row": r["index"], "errors": r["errors"]} for r in results if r["outcome"] == "invalid"],
        "agency": agency_updated(agency),
        "meeting": meeting_snapshot(meeting),
    }
