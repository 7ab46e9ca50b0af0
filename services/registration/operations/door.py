"""The door of a meeting: its tokens, check-in by code or registration id, look-up, undo and the count."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from services.registration import store
from services.registration.domain import door
from services.registration.domain.access import Caller, credential_is_active
from services.registration.domain.codes import normalize_code
from services.registration.domain.errors import InvalidInput, NotFound
from services.registration.domain.meetings import ensure_scheduled
from services.registration.domain.seats import CONFIRMED, IN_PERSON
from services.registration.models import Agency, CheckInReversal, DoorToken, Meeting, Registration
from services.registration.operations.reading import reading
from services.registration.operations.seating import outbox
from shared.db import utcnow
from shared.db.writers import writing
from shared.web.auth import hash_secret, new_secret

# Distinct from agency keys (rk_): a door token pasted where a key belongs is recognised at once.
DOOR_TOKEN_PREFIX = "rkd_"
LOOKUP_LIMIT = 10

SessionFactory = Callable[[], Session]


# ----- tokens ----------------------------------------------------------------------------------
def create_door_token(session_factory: SessionFactory, event_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A new door token for the meeting; the answer holds the token, shown only this once."""
    now = utcnow()
    expires_at = data.get("expires_at")
    if expires_at is not None and expires_at <= now:
        raise InvalidInput({"expires_at": ["Must be in the future."]})
    token = new_secret(DOOR_TOKEN_PREFIX)
    with writing(session_factory) as session:
        store.get_meeting(session, event_id)
        row = DoorToken(
            id=str(uuid.uuid4()),
            event_id=event_id,
            label=data["label"],
            token_hash=hash_secret(token),
            created_at=now,
            expires_at=expires_at,
        )
        session.add(row)
    return {**_token_fields(row, now), "token": token}


def _token_fields(row: DoorToken, now) -> dict[str, Any]:
    return {
        "id": row.id,
        "event_id": row.event_id,
        "label": row.label,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "revoked_at": row.revoked_at,
        "active": credential_is_active(row.expires_at, row.revoked_at, now),
    }


def list_door_tokens(session_factory: SessionFactory, event_id: str) -> list[dict[str, Any]]:
    """The meeting's door tokens, oldest first, without their values (only hashes are kept)."""
    with reading(session_factory) as session:
        store.get_meeting(session, event_id)
        rows = session.execute(
            select(DoorToken).where(DoorToken.event_id == event_id).order_by(DoorToken.created_at, DoorToken.id)
        ).scalars()
        now = utcnow()
        return [_token_fields(row, now) for row in rows]


def revoke_door_token(session_factory: SessionFactory, token_id: str) -> None:
    """Revoke at once; revoking again keeps the first time."""
    with writing(session_factory) as session:
        row = session.get(DoorToken, token_id) if store.is_id(token_id) else None
        if row is None:
            raise NotFound("No door token with this id.")
        if row.revoked_at is None:
            row.revoked_at = utcnow()


@dataclass(frozen=True)
class DoorAccess:
    token_id: str
    event_id: str


_DOOR_TOKEN = select(DoorToken.id, DoorToken.event_id, DoorToken.expires_at, DoorToken.revoked_at).where(
    DoorToken.token_hash == bindparam("token_hash")
)


def find_door_token(session_factory: SessionFactory, token_hash: str) -> DoorAccess | None:
    """The meeting a working door token opens; None when unknown, revoked or expired.

    Read on every request, never cached: a revoked phone must stop at its next scan.
    """
    with reading(session_factory) as session:
        row = session.execute(_DOOR_TOKEN, {"token_hash": token_hash}).first()
    if row is None or not credential_is_active(row.expires_at, row.revoked_at, utcnow()):
        return None
    return DoorAccess(row.id, row.event_id)


# ----- check-in --------------------------------------------------------------------------------
def _attendee(registration: Registration) -> door.Attendee:
    return door.Attendee(registration.event_id, registration.status, registration.attendance_mode, registration.checked_in_at)


# Built once, like the intake path's statements (store.py): check-in is the door's hot path. The
# agency's name and the meeting's status come in the same statement; only the registration row is locked.
_REGISTRATION_AND_AGENCY = (
    select(Registration, Agency.name, Meeting.status)
    .join(Agency, Agency.id == Registration.agency_id)
    .join(Meeting, Meeting.id == Registration.event_id)
)
_BY_CODE = _REGISTRATION_AND_AGENCY.where(Registration.check_in_code == bindparam("code")).with_for_update(of=Registration)
_BY_ID = _REGISTRATION_AND_AGENCY.where(Registration.id == bindparam("registration_id")).with_for_update(of=Registration)


def _locked_registration(session: Session, event_id: str, code: str | None, registration_id: str | None) -> tuple[Registration, str]:
    """The registration named by code or id (of any meeting) with its agency's name, locked until the transaction ends.

    A registration of this meeting once the meeting was called off is refused (409) like any other change.

    FOR UPDATE: two phones scanning one code at once must record one check-in (PostgreSQL; SQLite's
    BEGIN IMMEDIATE already serializes them). The meeting is read only when the answer depends on it
    (nothing found, or another meeting's registration): an unknown meeting is a 404 first.
    """
    if code is not None:
        row = session.execute(_BY_CODE, {"code": normalize_code(code)}).first()
    else:
        row = session.execute(_BY_ID, {"registration_id": registration_id}).first() if store.is_id(registration_id) else None
    if row is None or row[0].event_id != event_id:
        store.get_meeting(session, event_id)
    if row is None:
        raise NotFound("No registration has this check-in code." if code is not None else "No registration with this id.")
    if row[0].event_id == event_id:
        ensure_scheduled(row[2], "check-ins are")
    return row[0], row[1]


def check_in(session_factory: SessionFactory, event_id: str, code: str | None = None, registration_id: str | None = None) -> dict[str, Any]:
    """Record a door check-in once; a second scan answers with the first time (already_checked_in)."""
    with writing(session_factory) as session:
        registration, agency_name = _locked_registration(session, event_id, code, registration_id)
        outcome = door.check_in(_attendee(registration), event_id, utcnow())
        if outcome.is_new:
            registration.checked_in_at = registration.updated_at = outcome.checked_in_at
            outbox.record(
                session,
                "registration.checked_in",
                {
                    "registration_id": registration.id,
                    "event_id": event_id,
                    "at": outcome.checked_in_at,
                    "agency_id": registration.agency_id,
                },
            )
        return {
            "registration_id": registration.id,
            "checked_in_at": outcome.checked_in_at,
            "already_checked_in": outcome.already_checked_in,
            "full_name": registration.full_name,
            "agency_name": agency_name,
            "attendance_mode": registration.attendance_mode,
        }


def undo_check_in(session_factory: SessionFactory, caller: Caller, event_id: str, registration_id: str) -> dict[str, Any]:
    """Clear a check-in, record who undid it, and tell the bus (registration.check_in_reverted), in one transaction."""
    now = utcnow()
    with writing(session_factory) as session:
        registration, _ = _locked_registration(session, event_id, None, registration_id)
        undone = door.undo_check_in(_attendee(registration), event_id)
        registration.checked_in_at, registration.updated_at = None, now
        session.add(
            CheckInReversal(
                registration_id=registration.id,
                event_id=event_id,
                checked_in_at=undone,
                reverted_at=now,
                reverted_by=caller.kind,
                door_token_id=caller.door_token_id,
            )
        )
        outbox.record(
            session,
            "registration.check_in_reverted",
            {"registration_id": registration.id, "event_id": event_id, "at": now, "checked_in_at": undone},
        )
    return {"registration_id": registration_id, "checked_in_at": None, "reverted_at": now, "reverted_check_in_at": undone}


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def lookup(session_factory: SessionFactory, event_id: str, q: str) -> list[dict[str, Any]]:
    """At most ten registrations of the meeting whose name, NIP, email or check-in code matches `q`.

    Only what the door needs to recognise someone: no email, phone or NIP goes back.
    """
    q = q.strip()
    pattern = _like(q)
    matches = or_(
        func.lower(Registration.full_name).like(pattern, escape="\\"),
        func.lower(Registration.email).like(pattern, escape="\\"),
        Registration.nip.like(pattern, escape="\\"),
        Registration.check_in_code == normalize_code(q),
    )
    query = (
        select(Registration, Agency.name)
        .join(Agency, Agency.id == Registration.agency_id)
        .where(Registration.event_id == event_id, matches)
        .order_by(Registration.full_name, Registration.id)
        .limit(LOOKUP_LIMIT)
    )
    with reading(session_factory) as session:
        store.get_meeting(session, event_id)
        rows = session.execute(query).all()
    return [
        {
            "registration_id": r.id,
            "full_name": r.full_name,
            "agency_name": name,
            "attendance_mode": r.attendance_mode,
            "status": r.status,
            "checked_in_at": r.checked_in_at,
        }
        for r, name in rows
    ]


def summary(session_factory: SessionFactory, event_id: str) -> dict[str, int]:
    """Confirmed in-person people of the meeting, and how many of them are in."""
    query = select(func.count(), func.count(Registration.checked_in_at)).where(
        Registration.event_id == event_id, Registration.status == CONFIRMED, Registration.attendance_mode == IN_PERSON
    )
    with reading(session_factory) as session:
        store.get_meeting(session, event_id)
        confirmed, checked_in = session.execute(query).one()
    return {"checked_in": checked_in, "confirmed_in_person": confirmed}
