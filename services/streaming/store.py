"""Queries of the streaming service, including the bulk inserts that make publishing to thousands fast."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from services.streaming.models import Channel, Join, Link, Meeting, Participant, PresenceInterval, PresenceTotal
from shared.db.inserts import CHUNK, bulk_insert, dialect_insert
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
    return session.execute(select(Link).where(Link.registration_id == registration_id, Link.revoked_at.is_(None))).scalar_one_or_none()


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
    return session.execute(select(func.count()).select_from(Link).where(Link.event_id == event_id, Link.revoked_at.is_(None))).scalar_one()


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


def participants_for_matching(session: Session, event_id: str) -> list:
    """Every participant of a meeting with the email a report row is matched on (rows: registration_id, email, full_name, eligible)."""
    statement = select(Participant.registration_id, Participant.email, Participant.full_name, Participant.eligible).where(
        Participant.event_id == event_id
    )
    return list(session.execute(statement))


def insert_stays(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert stays, skipping those already stored (same registration, join and leave): a re-import adds nothing."""
    statement = dialect_insert(session)(PresenceInterval).on_conflict_do_nothing(
        index_elements=["event_id", "registration_id", "joined_at", "left_at"]
    )
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start : start + CHUNK])


def stays_of(session: Session, event_id: str, registration_ids: list[str]) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
    """Every stored stay of these registrations at the meeting, per registration."""
    stays: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {r: [] for r in registration_ids}
    for start in range(0, len(registration_ids), CHUNK):
        statement = select(PresenceInterval.registration_id, PresenceInterval.joined_at, PresenceInterval.left_at).where(
            PresenceInterval.event_id == event_id, PresenceInterval.registration_id.in_(registration_ids[start : start + CHUNK])
        )
        for registration_id, joined_at, left_at in session.execute(statement):
            stays[registration_id].append((joined_at, left_at))
    return stays


def presence_totals(session: Session, registration_ids: list[str]) -> dict[str, PresenceTotal]:
    found: dict[str, PresenceTotal] = {}
    for start in range(0, len(registration_ids), CHUNK):
        statement = select(PresenceTotal).where(PresenceTotal.registration_id.in_(registration_ids[start : start + CHUNK]))
        found.update((row.registration_id, row) for row in session.execute(statement).scalars())
    return found


def save_presence_totals(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert or overwrite the announced totals (keys: registration_id, event_id, minutes, first_join_at, updated_at)."""
    statement = dialect_insert(session)(PresenceTotal)
    statement = statement.on_conflict_do_update(
        index_elements=["registration_id"],
        set_={name: statement.excluded[name] for name in ("minutes", "first_join_at", "updated_at")},
    )
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start : start + CHUNK])
