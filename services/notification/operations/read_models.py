"""Read models kept from bus events (meetings, check-ins, agencies, revoked links); no message goes out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from services.notification import digest_store, store
from services.notification.domain.check_in import CLEAR, WAIT, on_check_in_reverted
from services.notification.domain.digest import digest_item
from services.notification.models import Contact
from shared.db import utcnow
from shared.messaging.errors import TransientError


def record_meeting(session: Session, meeting: dict[str, Any]) -> dict[str, Any]:
    """event.created / event.updated: keep the newest snapshot of the meeting."""
    return store.save_meeting(session, meeting, utcnow())


def record_check_in(session: Session, event_id: str, data: dict[str, Any], occurred_at: dt.datetime) -> None:
    """registration.checked_in: noted on the contact and kept for the agency's digest; no message goes out."""
    registration_id = data["registration_id"]
    contact = session.get(Contact, registration_id)
    if contact is None:
        # Handlers run in parallel, so the check-in can overtake the confirmation; try again shortly.
        raise TransientError(f"registration {registration_id} not known yet")
    now = utcnow()
    contact.checked_in_at, contact.updated_at = data["at"], now
    person = {"full_name": contact.full_name, "position": contact.position}
    item = digest_item(
        "registration.checked_in",
        {**data, "attendance_mode": contact.attendance_mode},
        occurred_at,
        person=person,
        meeting=store.load_meeting(session, contact.event_id),
    )
    if item is not None:
        digest_store.record_item(session, event_id, item, now)


def record_agency(session: Session, data: dict[str, Any]) -> None:
    """agency.updated: where the agency's mail goes and whether it goes at all; no message goes out."""
    digest_store.save_agency(session, data, utcnow())


def clear_check_in(session: Session, registration_id: str, reverted: dt.datetime | None) -> None:
    """registration.check_in_reverted: the door undid the check-in made at `reverted`; no message goes out.

    The rule (domain/check_in.py): while the check-in it undoes is not on the contact yet, try again
    shortly; a later check-in (a new scan after the undo) stays.
    """
    contact = session.get(Contact, registration_id)
    if contact is None:
        raise TransientError(f"registration {registration_id} not known yet")
    decision = on_check_in_reverted(contact.checked_in_at, reverted)
    if decision == WAIT:
        raise TransientError(f"check-in of registration {registration_id} not seen yet")
    if decision == CLEAR:
        contact.checked_in_at, contact.updated_at = None, utcnow()


def record_link_revoked(session: Session, registration_id: str, at: dt.datetime) -> None:
    """stream.link_revoked: later messages stop showing the link; no message goes out."""
    contact = session.get(Contact, registration_id)
    if contact is not None:
        contact.link_revoked_at, contact.updated_at = at, utcnow()
