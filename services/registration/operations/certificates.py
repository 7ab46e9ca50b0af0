"""Certificates of attendance: issue them after the meeting, list, revoke, and the public verification."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registration import payloads, store
from services.registration.domain.access import Caller
from services.registration.domain.certificates import (
    Attendance,
    certificate_number,
    check_meeting_is_over,
    earns_certificate,
    meeting_date,
)
from services.registration.domain.errors import NotFound
from services.registration.models import Certificate
from services.registration.operations.attendance import online_rule
from services.registration.operations.reading import reading
from services.registration.operations.seating import outbox
from shared.db import utcnow
from shared.db.writers import writing

SessionFactory = Callable[[], Session]


def new_certificate_id() -> str:
    """128 random bits: the id is the public verification link, so it must not be guessable."""
    return secrets.token_urlsafe(16)


def verify_url(base_url: str, certificate_id: str) -> str:
    return f"{base_url}/c/{certificate_id}"


def issue_certificates(session_factory: SessionFactory, event_id: str, number_suffix: str, base_url: str) -> dict[str, int]:
    """Give every participant who attended and has no certificate yet the next numbers of the meeting.

    Each certificate goes on the bus (certificate.issued) in the same transaction; notification
    renders the PDF and mails it.

    Under the meeting's lock (FOR UPDATE on PostgreSQL, the single writer on SQLite): two organizers
    pressing the button at once run one after the other, and the second sees the first one's numbers,
    so the numbers stay 1..N without gaps or repeats.
    """
    now = utcnow()
    with writing(session_factory) as session:
        meeting = store.lock_meeting(session, event_id)
        check_meeting_is_over(meeting.ends_at, now)
        already = set(session.execute(select(Certificate.registration_id).where(Certificate.event_id == event_id)).scalars())
        last = session.execute(select(func.coalesce(func.max(Certificate.seq), 0)).where(Certificate.event_id == event_id)).scalar_one()
        day = meeting_date(meeting.starts_at, meeting.timezone)
        rule = online_rule(meeting)
        eligible = [
            (r, agency_name)
            for r, agency_name in store.registrations_with_agency(session, event_id, None)
            if r.id not in already and earns_certificate(Attendance(r.status, r.checked_in_at, r.online_joined_at, r.online_minutes, rule))
        ]
        events = []
        for seq, (registration, agency_name) in enumerate(eligible, start=last + 1):
            certificate = Certificate(
                id=new_certificate_id(),
                event_id=event_id,
                registration_id=registration.id,
                agency_id=registration.agency_id,
                seq=seq,
                number=certificate_number(seq, number_suffix, day.year),
                full_name=registration.full_name,
                nip=registration.nip,
                position=registration.position,
                agency_name=agency_name,
                meeting_title=meeting.title,
                meeting_date=day,
                hours=meeting.certificate_hours,
                issued_at=now,
            )
            session.add(certificate)
            events.append(
                (
                    "certificate.issued",
                    payloads.certificate_issued(certificate, registration, meeting, verify_url(base_url, certificate.id)),
                )
            )
        outbox.record_many(session, events)
    return {"issued": len(eligible), "already_issued": len(already)}


def list_certificates(session_factory: SessionFactory, caller: Caller, event_id: str, base_url: str) -> list[dict[str, Any]]:
    """The meeting's certificates in number order; an agency sees only its own people's."""
    query = select(Certificate).where(Certificate.event_id == event_id).order_by(Certificate.seq)
    if caller.agency_id is not None:
        query = query.where(Certificate.agency_id == caller.agency_id)
    with reading(session_factory) as session:
        store.get_meeting(session, event_id)
        rows = list(session.execute(query).scalars())
    return [
        {
            "id": c.id,
            "number": c.number,
            "registration_id": c.registration_id,
            "agency_id": c.agency_id,
            "full_name": c.full_name,
            "issued_at": c.issued_at,
            "revoked_at": c.revoked_at,
            "valid": c.revoked_at is None,
            "verify_url": verify_url(base_url, c.id),
        }
        for c in rows
    ]


def _get(session: Session, certificate_id: str) -> Certificate | None:
    return session.get(Certificate, certificate_id) if isinstance(certificate_id, str) and len(certificate_id) <= 36 else None


def revoke_certificate(session_factory: SessionFactory, certificate_id: str) -> None:
    """Revoke (its page says so from now on); its number stays taken. Revoking again keeps the first time."""
    with writing(session_factory) as session:
        certificate = _get(session, certificate_id)
        if certificate is None:
            raise NotFound("No certificate with this id.")
        if certificate.revoked_at is None:
            certificate.revoked_at = utcnow()


def verify_certificate(session_factory: SessionFactory, certificate_id: str) -> dict[str, Any] | None:
    """What the public verification page may show: number, name, meeting, date and whether it is valid."""
    with reading(session_factory) as session:
        c = _get(session, certificate_id)
    if c is None:
        return None
    return {
        "number": c.number,
        "full_name": c.full_name,
        "meeting_title": c.meeting_title,
        "meeting_date": c.meeting_date,
        "valid": c.revoked_at is None,
    }
