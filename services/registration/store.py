"""Queries of the registration service; the locking of a meeting's seats lives here."""

from __future__ import annotations

import uuid

from sqlalchemy import String, and_, bindparam, func, insert, literal, or_, select, union_all, update
from sqlalchemy.orm import Session

from services.registration.domain.errors import NotFound
from services.registration.domain.seats import CONFIRMED, IN_PERSON, WAITLISTED, SeatState
from services.registration.domain.waitlist import WaitlistEntry
from services.registration.models import Agency, Meeting, Registration
from shared.web.cursor import decode_cursor, encode_cursor


def is_id(value: str) -> bool:
    """Whether `value` can be one of our ids (a UUID); anything else is unknown without asking the database."""
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def get_meeting(session: Session, event_id: str) -> Meeting:
    meeting = session.execute(_GET_MEETING, {"event_id": event_id}).scalar_one_or_none() if is_id(event_id) else None
    if meeting is None:
        raise NotFound("No meeting with this id.")
    return meeting


# Statements of the intake path are built once: constructing a SQLAlchemy statement costs more than
# running it on SQLite, and a reused statement also keeps its cache key.
_GET_MEETING = select(Meeting).where(Meeting.id == bindparam("event_id"))
_LOCK_MEETING = _GET_MEETING.with_for_update()
# FOR KEY SHARE: the share the INSERT's foreign key check takes on the meeting row anyway, taken at the
# read instead, so a cancellation in progress is waited for and its result read.
_SHARE_MEETING = _GET_MEETING.with_for_update(read=True, key_share=True)
# Confirmed in-person rows are bounded by the capacity, and the waitlist length is its last position
# (positions are 1..N), read from an index: the cost stays flat however many people registered.
_SEATS = union_all(
    select(Registration.agency_id, func.count())
    .where(Registration.event_id == bindparam("event_id"), Registration.status == CONFIRMED, Registration.attendance_mode == IN_PERSON)
    .group_by(Registration.agency_id),
    select(literal(None, String), func.coalesce(func.max(Registration.waitlist_position), 0)).where(
        Registration.event_id == bindparam("event_id"), Registration.status == WAITLISTED
    ),
)
_INSERT_REGISTRATION = insert(Registration.__table__)
_REGISTRATION_COLUMNS = tuple(column.key for column in Registration.__table__.columns)


def lock_meeting(session: Session, event_id: str) -> Meeting:
    """Load the meeting and hold its seats until the transaction ends.

    Every change of seats, waitlist or duplicates of a meeting first takes this lock, so two
    requests never both see the last free seat. On PostgreSQL that is `SELECT … FOR UPDATE` on
    the meeting row: registrations of one meeting queue behind each other, other meetings are not
    affected, and under READ COMMITTED the counts read after the lock include every commit made
    before it. On SQLite `with_for_update()` renders nothing: shared.db starts every unit of work
    with BEGIN IMMEDIATE, which already makes it the only writer of the database.
    """
    if not is_id(event_id):
        raise NotFound("No meeting with this id.")
    meeting = session.execute(_LOCK_MEETING, {"event_id": event_id}).scalar_one_or_none()
    if meeting is None:
        raise NotFound("No meeting with this id.")
    return meeting


def share_meeting(session: Session, event_id: str) -> Meeting:
    """Load the meeting for a change that takes no seat (an online registration): it cannot be cancelled meanwhile.

    PostgreSQL `FOR KEY SHARE` conflicts only with `FOR UPDATE` (lock_meeting); the INSERT's foreign
    key check would take it anyway. SQLite's BEGIN IMMEDIATE already serializes every writer.
    """
    meeting = session.execute(_SHARE_MEETING, {"event_id": event_id}).scalar_one_or_none() if is_id(event_id) else None
    if meeting is None:
        raise NotFound("No meeting with this id.")
    return meeting


def seat_state(session: Session, meeting: Meeting) -> SeatState:
    """Confirmed in-person seats per agency and the waitlist length of `meeting` (read under its lock)."""
    state = SeatState(capacity=meeting.in_person_capacity, quota=meeting.agency_in_person_quota)
    for agency_id, count in session.execute(_SEATS, {"event_id": meeting.id}):
        if agency_id is None:
            state.waitlisted = count
        else:
            state.taken += count
            state.taken_by_agency[agency_id] = count
    return state


def insert_registration(session: Session, registration: Registration) -> None:
    """Insert without the ORM's flush machinery (the intake path's biggest cost after the SQL itself).

    The object stays transient: it is only read afterwards, to answer and to fill the event.
    """
    session.execute(_INSERT_REGISTRATION, {key: getattr(registration, key) for key in _REGISTRATION_COLUMNS})


def insert_registrations(session: Session, registrations: list[Registration]) -> None:
    """insert_registration for many, as one executemany per thousand."""
    rows = [{key: getattr(r, key) for key in _REGISTRATION_COLUMNS} for r in registrations]
    for start in range(0, len(rows), 1000):
        session.execute(_INSERT_REGISTRATION, rows[start : start + 1000])


def seat_counts(session: Session, event_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(taken, waitlisted) in-person seats per meeting, for listings."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(Registration.event_id, Registration.status, func.count())
        .where(
            Registration.event_id.in_(event_ids),
            Registration.attendance_mode == IN_PERSON,
            Registration.status.in_((CONFIRMED, WAITLISTED)),
        )
        .group_by(Registration.event_id, Registration.status)
    ).all()
    counts = {event_id: [0, 0] for event_id in event_ids}
    for event_id, status, count in rows:
        counts[event_id][0 if status == CONFIRMED else 1] = count
    return {key: (value[0], value[1]) for key, value in counts.items()}


def find_active_duplicate(session: Session, event_id: str, email: str, nip: str | None) -> tuple[str, str, str] | None:
    """(id, owning agency id, field) of an active registration of the meeting with the same email or NIP."""
    match = Registration.email == email if nip is None else or_(Registration.email == email, Registration.nip == nip)
    row = session.execute(
        select(Registration.id, Registration.agency_id, Registration.email)
        .where(Registration.event_id == event_id, Registration.status != "cancelled", match)
        .limit(1)
    ).first()
    if row is None:
        return None
    return row.id, row.agency_id, "email" if row.email == email else "nip"


def active_identities(session: Session, event_id: str) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """email -> (id, agency id) and nip -> (id, agency id) of the meeting's active registrations (for bulk duplicate checks)."""
    rows = session.execute(
        select(Registration.id, Registration.agency_id, Registration.email, Registration.nip).where(
            Registration.event_id == event_id, Registration.status != "cancelled"
        )
    ).all()
    return {r.email: (r.id, r.agency_id) for r in rows}, {r.nip: (r.id, r.agency_id) for r in rows if r.nip}


def waitlist(session: Session, event_id: str) -> list[WaitlistEntry]:
    rows = session.execute(
        select(Registration.id, Registration.agency_id, Registration.waitlist_position)
        .where(Registration.event_id == event_id, Registration.status == WAITLISTED)
        .order_by(Registration.waitlist_position)
    ).all()
    return [WaitlistEntry(r.id, r.agency_id, r.waitlist_position) for r in rows]


def close_waitlist_gaps(session: Session, event_id: str, removed_positions: list[int], exclude_id: str | None = None) -> None:
    """Move everyone behind a removed position up by one, so positions stay 1..N."""
    for position in sorted(removed_positions, reverse=True):
        session.execute(
            update(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.status == WAITLISTED,
                Registration.waitlist_position > position,
                Registration.id != (exclude_id or ""),
            )
            .values(waitlist_position=Registration.waitlist_position - 1)
            .execution_options(synchronize_session="fetch")
        )


def agency_name(session: Session, agency_id: str) -> str | None:
    return session.execute(select(Agency.name).where(Agency.id == agency_id)).scalar_one_or_none()


def list_registrations(
    session: Session, event_id: str, *, agency_id: str | None, status: str | None, mode: str | None, limit: int, cursor: str | None
) -> tuple[list[Registration], str | None]:
    """One page in (created_at, id) order, which new registrations never reorder."""
    query = select(Registration).where(Registration.event_id == event_id)
    if agency_id is not None:
        query = query.where(Registration.agency_id == agency_id)
    if status:
        query = query.where(Registration.status == status)
    if mode:
        query = query.where(Registration.attendance_mode == mode)
    if cursor:
        created_at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(Registration.created_at > created_at, and_(Registration.created_at == created_at, Registration.id > last_id))
        )
    rows = list(session.execute(query.order_by(Registration.created_at, Registration.id).limit(limit + 1)).scalars())
    if len(rows) > limit:
        return rows[:limit], encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id)
    return rows, None


def registrations_with_agency(session: Session, event_id: str, agency_id: str | None) -> list[tuple[Registration, str]]:
    query = select(Registration, Agency.name).join(Agency, Agency.id == Registration.agency_id).where(Registration.event_id == event_id)
    if agency_id is not None:
        query = query.where(Registration.agency_id == agency_id)
    return [(r, name) for r, name in session.execute(query.order_by(Agency.name, Registration.full_name, Registration.id)).all()]
