"""Registrations: single and bulk intake (idempotent), reading, mode changes and cancellation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.registration import payloads, store
from services.registration.domain.access import Caller
from services.registration.domain.errors import (
    AlreadyCancelled,
    Conflict,
    DuplicateRegistration,
    NotFound,
    RegistrationClosed,
)
from services.registration.domain.meetings import CANCELLED as MEETING_CANCELLED
from services.registration.domain.meetings import ensure_scheduled, registration_is_open
from services.registration.domain.seats import CANCELLED, ONLINE
from services.registration.models import Agency, Meeting, Registration
from services.registration.operations import idempotency
from services.registration.operations.reading import reading
from services.registration.operations.seating import (
    IntakeBatch,
    leave_seat_or_waitlist,
    new_registration,
    outbox,
    place,
    promote_waitlisted,
)
from services.registration.schemas import RegistrationCreateSchema, RegistrationSchema
from shared.db import utcnow
from shared.db.writers import writing

_row_schema = RegistrationCreateSchema()
_out = RegistrationSchema()


@dataclass(frozen=True)
class Reply:
    """An HTTP answer decided inside the unit of work, so an Idempotency-Key can replay it exactly.

    `body` may be a Registration until it is rendered (see _rendered).
    """

    status: int
    body: Any
    replayed: bool = False


def _check_open(meeting: Meeting, now: dt.datetime) -> None:
    ensure_scheduled(meeting.status, "new registrations are")
    if not registration_is_open(meeting.registration_closes_at, now):
        raise RegistrationClosed(f"Registration for this meeting closed at {meeting.registration_closes_at.isoformat()}.")


def _online_allowed(meeting: Meeting, mode: str) -> str | None:
    if mode == ONLINE and not meeting.online:
        return "This meeting has no online attendance; register in person."
    return None


def _duplicate_error(caller: Caller, existing_id: str, owner_agency_id: str, field: str) -> DuplicateRegistration:
    label = "email address" if field == "email" else "NIP"
    return DuplicateRegistration(
        f"A participant with this {label} is already registered for this meeting.", caller.visible_id(existing_id, owner_agency_id), field
    )


def _rendered(reply: Reply) -> Reply:
    if isinstance(reply.body, Registration):
        return Reply(reply.status, _out.dump(reply.body), reply.replayed)
    return reply


def _idempotent(session_factory, caller: Caller, key: idempotency.Key | None, work: Callable[[Session], Reply]) -> Reply:
    """Run `work` in one unit of work, replaying or remembering the answer under `key` when one is given.

    Without a key the answer is rendered after the commit, so the write lock is held no longer than needed.
    """
    try:
        with writing(session_factory) as session:
            if key is not None:
                replay = idempotency.find_reply(session, caller.agency_id, key)
                if replay is not None:
                    return Reply(replay[0], replay[1], replayed=True)
            reply = work(session)
            if key is not None:
                reply = _rendered(reply)
                idempotency.remember(session, caller.agency_id, key, reply.status, reply.body)
        return _rendered(reply)
    except IntegrityError:
        # The same key was used concurrently (for another meeting, whose lock we do not share):
        # the request that committed first owns the key.
        if key is None:
            raise
        with reading(session_factory) as session:
            replay = idempotency.find_reply(session, caller.agency_id, key)
        if replay is None:
            raise
        return Reply(replay[0], replay[1], replayed=True)


def register(session_factory, caller: Caller, event_id: str, data: dict[str, Any], key: idempotency.Key | None = None) -> Reply:
    """Register one participant of the calling agency: a seat, a waitlist place or online."""

    def work(session: Session) -> Reply:
        now = utcnow()
        # An online registration takes no seat and its duplicates are refused by unique indexes, so
        # it need not hold the meeting's seat lock (only a share that a cancellation waits for); an
        # in-person one must.
        online = data["attendance_mode"] == ONLINE
        meeting = store.share_meeting(session, event_id) if online else store.lock_meeting(session, event_id)
        _check_open(meeting, now)
        problem = _online_allowed(meeting, data["attendance_mode"])
        if problem:
            raise Conflict(problem)
        state = None if online else store.seat_state(session, meeting)
        # The unique indexes on (meeting, email) and (meeting, NIP) refuse a duplicate right here.
        registration = new_registration(session, meeting, caller.agency_id, caller.agency_name, data, state, now)
        return Reply(201, registration)

    try:
        return _idempotent(session_factory, caller, key, work)
    except IntegrityError:
        # Duplicates are found by the unique indexes rather than a query before every insert: the
        # common case (a new person) saves a round trip, and the rare one costs a rollback.
        with reading(session_factory) as session:
            duplicate = store.find_active_duplicate(session, event_id, data["email"], data.get("nip"))
        if duplicate is None:
            raise
        raise _duplicate_error(caller, *duplicate) from None


def bulk_register(session_factory, caller: Caller, event_id: str, rows: list[Any], key: idempotency.Key | None = None) -> Reply:
    """Register many participants in list order in one transaction, with an outcome per row."""

    def work(session: Session) -> Reply:
        now = utcnow()
        meeting = store.lock_meeting(session, event_id)
        _check_open(meeting, now)
        by_email, by_nip = store.active_identities(session, event_id)
        state = store.seat_state(session, meeting)
        results, summary, batch = [], {"created": 0, "duplicate": 0, "invalid": 0}, IntakeBatch()
        for index, raw in enumerate(rows):
            result = _bulk_row(session, meeting, caller, raw, state, by_email, by_nip, now, batch)
            summary[result["outcome"]] += 1
            results.append({"index": index, **result})
        batch.flush(session)
        # The agency's contact hears the outcome (notification mails it right away), in the same
        # transaction as the rows: a replayed Idempotency-Key answers without a second summary.
        agency = session.get(Agency, caller.agency_id)
        outbox.record(session, "agency.bulk_processed", payloads.bulk_processed(str(uuid.uuid4()), agency, meeting, results))
        return Reply(200, {"results": results, "summary": summary})

    attempts = 3
    for attempt in range(1, attempts + 1):
        try:
            return _idempotent(session_factory, caller, key, work)
        except IntegrityError:
            # An online registration (which takes no meeting lock) added the same person between our
            # duplicate check and the insert: start again, the check will now see them.
            if attempt == attempts:
                raise


def _bulk_row(session, meeting, caller, raw, state, by_email, by_nip, now, batch) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {"outcome": "invalid", "errors": {"_row": ["Each registration must be a JSON object."]}}
    try:
        data = _row_schema.load(raw)
    except ValidationError as exc:
        return {"outcome": "invalid", "errors": exc.normalized_messages()}
    problem = _online_allowed(meeting, data["attendance_mode"])
    if problem:
        return {"outcome": "invalid", "errors": {"attendance_mode": [problem]}}
    existing = by_email.get(data["email"]) or (by_nip.get(data["nip"]) if data.get("nip") else None)
    if existing is not None:
        visible = caller.visible_id(*existing)
        return {"outcome": "duplicate", **({"existing_id": visible} if visible else {})}
    registration = new_registration(session, meeting, caller.agency_id, caller.agency_name, data, state, now, batch)
    by_email[registration.email] = (registration.id, caller.agency_id)
    if registration.nip:
        by_nip[registration.nip] = (registration.id, caller.agency_id)
    return {"outcome": "created", "registration": _out.dump(registration)}


def _load_visible(session: Session, caller: Caller, registration_id: str, *, lock: bool) -> tuple[Registration, Meeting | None]:
    registration = session.get(Registration, registration_id) if store.is_id(registration_id) else None
    # Another agency's registration is reported exactly like a missing one: its existence is not theirs to learn.
    if registration is None or not caller.may_see(registration.agency_id):
        raise NotFound("No registration with this id.")
    if not lock:
        return registration, None
    meeting = store.lock_meeting(session, registration.event_id)
    session.refresh(registration)  # re-read under the lock: a concurrent change may have committed meanwhile
    return registration, meeting


def get_registration(session_factory, caller: Caller, registration_id: str) -> Registration:
    with reading(session_factory) as session:
        return _load_visible(session, caller, registration_id, lock=False)[0]


def list_registrations(session_factory, caller: Caller, event_id: str, query: dict[str, Any]) -> tuple[list[Registration], str | None]:
    with reading(session_factory) as session:
        store.get_meeting(session, event_id)
        return store.list_registrations(
            session,
            event_id,
            agency_id=caller.agency_id,
            status=query.get("status"),
            mode=query.get("attendance_mode"),
            limit=query["limit"],
            cursor=query.get("cursor"),
        )


def cancel_registration(session_factory, caller: Caller, registration_id: str) -> Registration:
    """Cancel; a freed seat goes to the head of the waitlist in the same transaction."""
    with writing(session_factory) as session:
        registration, meeting = _load_visible(session, caller, registration_id, lock=True)
        if registration.status == CANCELLED:
            raise AlreadyCancelled("This registration is already cancelled.")
        now = utcnow()
        previous_status = registration.status
        state = store.seat_state(session, meeting)
        leave_seat_or_waitlist(session, meeting, registration, state)
        registration.status = CANCELLED
        registration.cancelled_at = registration.updated_at = now
        outbox.record(session, "registration.cancelled", payloads.cancelled_event(registration, meeting, previous_status))
        if meeting.status != MEETING_CANCELLED:
            # Nobody is promoted into a meeting that was called off: that would invite them to it.
            promote_waitlisted(session, meeting, state, now)
        return registration


def change_attendance_mode(session_factory, caller: Caller, registration_id: str, mode: str) -> Registration:
    """Switch between in person and online; a freed seat goes to the waitlist, a new in-person wish queues for one."""
    with writing(session_factory) as session:
        registration, meeting = _load_visible(session, caller, registration_id, lock=True)
        if registration.status == CANCELLED:
            raise AlreadyCancelled("This registration is cancelled; register the participant again instead.")
        ensure_scheduled(meeting.status, "changes of attendance mode are")
        if registration.attendance_mode == mode:
            return registration
        now = utcnow()
        _check_open(meeting, now)
        problem = _online_allowed(meeting, mode)
        if problem:
            raise Conflict(problem)
        previous_mode = registration.attendance_mode
        state = store.seat_state(session, meeting)
        leave_seat_or_waitlist(session, meeting, registration, state)
        registration.attendance_mode = mode
        place(registration, state)
        registration.updated_at = now
        name = store.agency_name(session, registration.agency_id)
        outbox.record(
            session, "registration.mode_changed", payloads.registration_event(registration, meeting, name, previous_mode=previous_mode)
        )
        promote_waitlisted(session, meeting, state, now)
        return registration
