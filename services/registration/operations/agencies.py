"""Agencies and their API keys: made, rotated with a grace period, revoked."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from services.registration import payloads
from services.registration.domain.access import Caller, credential_is_active
from services.registration.domain.errors import NotFound
from services.registration.models import Agency, AgencyKey
from services.registration.operations.reading import reading
from services.registration.operations.seating import outbox
from shared.db import utcnow
from shared.db.writers import writing
from shared.web.auth import hash_secret, new_secret

API_KEY_PREFIX = "rk_"


def _new_key(session: Session, agency_id: str, now: dt.datetime) -> str:
    api_key = new_secret(API_KEY_PREFIX)
    session.add(AgencyKey(id=str(uuid.uuid4()), agency_id=agency_id, key_hash=hash_secret(api_key), created_at=now))
    return api_key


def create_agency(session_factory: Callable[[], Session], data: dict[str, Any]) -> tuple[Agency, str]:
    """Create an agency and return it with its new API key (the only time the key is known)."""
    now = utcnow()
    with writing(session_factory) as session:
        agency = Agency(
            id=str(uuid.uuid4()),
            name=data["name"],
            kind=data["kind"],
            contact_email=data["contact_email"],
            digest_enabled=data.get("digest_enabled", True),
            locale=data.get("locale") or "id",
            created_at=now,
            updated_at=now,
        )
        session.add(agency)
        session.flush()  # the key's foreign key needs the agency row first
        api_key = _new_key(session, agency.id, now)
        # Notification learns where the agency's mail goes from the bus, never from this table.
        outbox.record(session, "agency.updated", payloads.agency_updated(agency))
    return agency, api_key


# What an agency may change about itself (PATCH /v1/agencies/{id}); name and kind stay the organizer's.
EDITABLE = ("digest_enabled", "contact_email", "locale")


def update_agency(session_factory: Callable[[], Session], caller: Caller, agency_id: str, changes: dict[str, Any]) -> Agency:
    """Change the agency's contact, language or digest switch (the organizer, or the agency itself) and tell the bus."""
    if not caller.may_see(agency_id):
        # Another agency's record is answered like a missing one: its existence is not theirs to learn.
        raise NotFound("No agency with this id.")
    with writing(session_factory) as session:
        agency = _lock_agency(session, agency_id)
        changed = {name: value for name, value in changes.items() if name in EDITABLE and getattr(agency, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(agency, name, value)
            # Strictly later than the snapshot before it, even within one clock tick: the consumer keeps the newest.
            previous = agency.updated_at or agency.created_at
            agency.updated_at = max(utcnow(), previous + dt.timedelta(microseconds=1))
            outbox.record(session, "agency.updated", payloads.agency_updated(agency))
        return agency


def _lock_agency(session: Session, agency_id: str) -> Agency:
    agency = session.execute(select(Agency).where(Agency.id == agency_id).with_for_update()).scalar_one_or_none()
    if agency is None:
        raise NotFound("No agency with this id.")
    return agency


def rotate_agency_key(session_factory: Callable[[], Session], agency_id: str, grace_seconds: int) -> str:
    """A new key for the agency; its keys still working now stop after `grace_seconds` (0: at once)."""
    now = utcnow()
    until = now + dt.timedelta(seconds=grace_seconds)
    with writing(session_factory) as session:
        _lock_agency(session, agency_id)  # two rotations at once: each ends the other's grace in turn
        session.execute(
            update(AgencyKey)
            .where(
                AgencyKey.agency_id == agency_id,
                AgencyKey.revoked_at.is_(None),
                or_(AgencyKey.expires_at.is_(None), AgencyKey.expires_at > until),
            )
            .values(expires_at=until)
            .execution_options(synchronize_session=False)
        )
        return _new_key(session, agency_id, now)


def revoke_agency_keys(session_factory: Callable[[], Session], agency_id: str) -> int:
    """Revoke every key of the agency at once; answers how many were still unrevoked."""
    now = utcnow()
    with writing(session_factory) as session:
        _lock_agency(session, agency_id)
        result = session.execute(
            update(AgencyKey)
            .where(AgencyKey.agency_id == agency_id, AgencyKey.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount


def list_agencies(session_factory: Callable[[], Session]) -> list[Agency]:
    with reading(session_factory) as session:
        return list(session.execute(select(Agency).order_by(Agency.name, Agency.id)).scalars())


@dataclass(frozen=True)
class KnownKey:
    """A working key's agency, and when the key stops working (None: until revoked)."""

    agency_id: str
    agency_name: str
    expires_at: dt.datetime | None


# Built once: it runs on every agency request that misses the key cache (api/auth.py).
_KEY = (
    select(AgencyKey.expires_at, AgencyKey.revoked_at, Agency.id, Agency.name)
    .join(Agency, AgencyKey.agency_id == Agency.id)
    .where(AgencyKey.key_hash == bindparam("key_hash"))
)


def find_agency_by_key(session_factory: Callable[[], Session], key_hash: str) -> KnownKey | None:
    """The agency of the key with this hash, if the key is neither revoked nor expired."""
    with reading(session_factory) as session:
        row = session.execute(_KEY, {"key_hash": key_hash}).first()
    if row is None or not credential_is_active(row.expires_at, row.revoked_at, utcnow()):
        return None
    return KnownKey(row.id, row.name, row.expires_at)
