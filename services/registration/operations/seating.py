"""Seat changes shared by the use cases: a new registration takes its place, a freed seat goes to the waitlist."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from services.registration import payloads, store
from services.registration.domain.codes import new_check_in_code
from services.registration.domain.seats import CONFIRMED, IN_PERSON, WAITLISTED, SeatState, allocate
from services.registration.domain.waitlist import promotions
from services.registration.models import Meeting, Registration
from shared.messaging.outbox import Outbox

outbox = Outbox("registration")


def place(registration: Registration, state: SeatState) -> None:
    """Give `registration` its status for its current mode: a seat, a waitlist place, or online."""
    allocation = allocate(state, registration.agency_id, registration.attendance_mode)
    registration.status = allocation.status
    registration.waitlist_position = allocation.waitlist_position
    registration.check_in_code = (
        new_check_in_code() if allocation.status == CONFIRMED and registration.attendance_mode == IN_PERSON else None
    )


@dataclass
class IntakeBatch:
    """Registrations and events of a bulk body, written with one executemany each by flush()."""

    registrations: list[Registration] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def flush(self, session: Session) -> None:
        store.insert_registrations(session, self.registrations)
        outbox.record_many(session, self.events)  # in list order


def new_registration(
    session: Session,
    meeting: Meeting,
    agency_id: str,
    agency_name: str | None,
    data: dict[str, Any],
    state: SeatState,
    now: dt.datetime,
    batch: IntakeBatch | None = None,
) -> Registration:
    """Insert a registration placed by the seat rules and record registration.confirmed or .waitlisted.

    With a `batch` the row and the event wait there for the caller to write in one go (bulk).
    """
    registration = Registration(
        id=str(uuid.uuid4()),
        event_id=meeting.id,
        agency_id=agency_id,
        full_name=data["full_name"],
        email=data["email"],
        phone=data.get("phone"),
        nip=data.get("nip"),
        position=data.get("position"),
        locale=data.get("locale") or "id",
        attendance_mode=data["attendance_mode"],
        online_join_count=0,
        created_at=now,
        updated_at=now,
    )
    place(registration, state)
    if batch is None:
        store.insert_registration(session, registration)
    else:
        batch.registrations.append(registration)
    event_type = "registration.waitlisted" if registration.status == WAITLISTED else "registration.confirmed"
    event = (event_type, payloads.registration_event(registration, meeting, agency_name))
    if batch is not None:
        batch.events.append(event)
    else:
        # record_many even for one event: its INSERT takes the row as parameters instead of building
        # a statement with .values() per call, which costs more than the insert itself here.
        outbox.record_many(session, [event])
    return registration


def leave_seat_or_waitlist(session: Session, meeting: Meeting, registration: Registration, state: SeatState) -> None:
    """Free what `registration` held (its seat or its waitlist place) and give freed seats to the waitlist.

    Called while the meeting is locked, before the registration's own new status is written, so
    the promotions and the leaving commit in one transaction.
    """
    if registration.attendance_mode != IN_PERSON:
        return
    if registration.status == CONFIRMED:
        state.release(registration.agency_id)
    elif registration.status == WAITLISTED:
        removed = registration.waitlist_position
        registration.waitlist_position = None
        state.waitlisted -= 1
        store.close_waitlist_gaps(session, meeting.id, [removed], exclude_id=registration.id)


def promote_waitlisted(session: Session, meeting: Meeting, state: SeatState, now: dt.datetime) -> list[Registration]:
    """Give free seats to the waitlist, first come first served, recording registration.promoted for each."""
    if state.waitlisted == 0 or state.taken >= state.capacity:
        return []
    session.flush()
    chosen = promotions(state, store.waitlist(session, meeting.id))
    promoted: list[Registration] = []
    for entry in chosen:
        registration = session.get(Registration, entry.registration_id)
        registration.status = CONFIRMED
        registration.waitlist_position = None
        registration.check_in_code = new_check_in_code()
        registration.updated_at = now
        promoted.append(registration)
    if promoted:
        session.flush()
        store.close_waitlist_gaps(session, meeting.id, [entry.position for entry in chosen])
        for registration in promoted:
            name = store.agency_name(session, registration.agency_id)
            outbox.record(session, "registration.promoted", payloads.registration_event(registration, meeting, name))
    return promoted
