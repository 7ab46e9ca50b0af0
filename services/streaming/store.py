"""Queries of the streaming service, including the bulk inserts that make publishing to thousands fast."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from services.streaming.models import Channel, Join, Link, Meeting, Participant
from shared.db.inserts import bulk_insert, dialect_insert
from shared.schemas.events import MeetingSchema

_meeting_schema = MeetingSchema()


def ensure_meeting(session: Session, event_id: str, now: dt.datetime) -> None:
    """Create an empty meeting row unless it exists (races with another writer are harmless)."""
    statement = dialect_insert(session)(Meeting).values(id=event_id, sequence=0, created_at=now, updated_at=now)
    session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))


def lock_meeting(session: Session, event_id: str) -> Meeting | None:
    """The meeting row, locked until commit on PostgreSQL: every change of links of one meeting is serialized.

    (On SQLite every unit of work is already a serialized writer.)
    """
    return session.execute(select(Meeting).where(Meeting.id == event_id).with_for_update()).scalar_one_or_none()


def get_meeting(session: Session, event_id: str) -> Meeting | None:
    return session.get(Meeting, event_id)


def meeting_snapshot(meeting: Meeting) -> dict[str, Any] | None:
    """The stored meeting snapshot loaded (datetimes parsed), ready for an event payload."""
    if not meeting.snapshot:
        return None
    return _meeting_schema.load(json.loads(meeting.snapshot))


def channels_of(session: Session, event_id: str) -> list[Channel]:
    return list(session.execute(select(Channel).where(Channel.event_id == event_id).order_by(Channel.kind)).scalars())


def active_link(session: Session, registration_id: str) -> Link | None:
    return session.execute(
        select(Link).where(Link.registration_id == registration_id, Link.revoked_at.is_(None))
    ).scalar_one_or_none()


def eligible_without_link(session: Session, event_id: str) -> list:
    """Eligible participants of a meeting who hold no active link, oldest first (rows, not ORM objects: fast)."""
    has_link = exists().where(Link.registration_id == Participant.registration_id, Link.revoked_at.is_(None))
    statement = (
        select(
            Participant.registration_id,
            Participant.full_name,
            Participant.email,
            Participant.phone,
            Participant.locale,
            Participant.nip,
            Participant.position,
        )
        .where(Participant.event_id == event_id, Participant.eligible.is_(True), ~has_link)
        .order_by(Participant.last_event_at, Participant.registration_id)
    )
    return list(session.execute(statement))


def count_active_links(session: Session, event_id: str) -> int:
    return session.execute(
        select(func.count()).select_from(Link).where(Link.event_id == event_id, Link.revoked_at.is_(None))
    ).scalar_one()


LINK_COLUMNS = ("token_hash", "registration_id", "event_id", "issued_at")


def insert_links(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert link rows in bulk (keys: LINK_COLUMNS)."""
    bulk_insert(session, Link.__table__, LINK_COLUMNS, rows)


def revoke_link(session: Session, link_id: int, reason: str, now: dt.datetime) -> None:
    session.execute(update(Link).where(Link.id == link_id).values(revoked_at=now, revoke_reason=reason))


def join_summary(session: Session, event_id: str):
    """Per registration: first and last join and how many, with the participant's name and agency if known."""
    per_registration = (
        select(
            Join.registration_id,
            func.min(Join.joined_at).label("first_joined_at"),
            func.max(Join.joined_at).label("last_joined_at"),
            func.count().label("count"),
        )
        .where(Join.event_id == event_id)
        .group_by(Join.registration_id)
        .subquery()
    )
    statement = (
        select(
            per_registration.c.registration_id,
            per_registration.c.first_joined_at,
            per_registration.c.last_joined_at,
            per_registration.c["count"],
            Participant.full_name,
            Participant.agency_id,
            Participant.agency_name,
        )
        .select_from(per_registration)
        .outerjoin(Participant, Participant.registration_id == per_registration.c.registration_id)
        .order_by(per_registration.c.first_joined_at, per_registration.c.registration_id)
    )
    return session.execute(statement).all()
