"""Who hears about a bus event: the read models (meeting, contacts) are brought up to date, then the recipients found."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from services.notification import digest_store, store
from services.notification.domain.audience import certificate_recipient, registration_recipient
from services.notification.domain.digest import agency_recipient, bulk_summary
from services.notification.domain.messages import Recipient, announces_schedule_change
from shared.db import utcnow
from shared.domain.registration_events import registration_status


def update_and_find_audience(
    session: Session, event_type: str, data: dict[str, Any], occurred_at: dt.datetime
) -> tuple[list[Recipient], dict[str, Any] | None, dict[str, Any]]:
    """Update the read models for one event; return who must hear about it, the meeting, and template extras."""
    now = utcnow()
    if event_type == "event.updated":
        meeting = store.save_meeting(session, data, now)
        if not announces_schedule_change(data.get("changed_fields") or []):
            return [], meeting, {}
        contacts = store.active_contacts(session, data["id"])
        return [store.recipient_of(c) for c in contacts], meeting, {"changed_fields": list(data.get("changed_fields") or [])}
    if event_type == "event.cancelled":
        # Saving the cancelled snapshot withdraws the meeting's reminders (see reminder_store.arm_reminders).
        meeting = store.save_meeting(session, data, now)
        contacts = store.active_contacts(session, data["id"])
        return [store.recipient_of(c) for c in contacts], meeting, {"reason": data.get("reason")}
    if event_type == "stream.link_issued":
        meeting = (
            store.save_meeting(session, data["meeting"], now) if data.get("meeting") else store.load_meeting(session, data["event_id"])
        )
        recipient = store.save_link(session, data, now)
        extra = {"join_url": data["join_url"], "youtube_url": data.get("youtube_url")}
        # Only this message knows the meeting's channels; later ones name the link without a platform.
        extra.update(channel_kinds=list(data.get("channel_kinds") or []), zoom_meeting_id=data.get("zoom_meeting_id"))
        return [recipient], meeting, extra
    if event_type == "certificate.issued":
        return _certificate_audience(session, data, now)
    if event_type == "agency.bulk_processed":
        return _bulk_audience(session, data, now)
    # registration.*: the payload is the truth for this message; the contact keeps the newest state.
    meeting = store.save_meeting(session, data["meeting"], now)
    status = registration_status(event_type, data)
    contact, stale = store.save_contact(session, data, status=status, occurred_at=occurred_at, now=now)
    if stale:
        # Newest event wins: e.g. a confirmation arriving after the cancellation must not mail "you are confirmed".
        return [], meeting, {}
    recipient, extra = registration_recipient(
        data, status, join_url=contact.join_url, youtube_url=contact.youtube_url, link_revoked=contact.link_revoked_at is not None
    )
    return [recipient], meeting, extra


def _certificate_audience(
    session: Session, data: dict[str, Any], now: dt.datetime
) -> tuple[list[Recipient], dict[str, Any], dict[str, Any]]:
    """certificate.issued: the participant alone, with what the PDF prints."""
    meeting = store.save_meeting(session, data["meeting"], now)
    recipient, extra = certificate_recipient(data)
    return [recipient], meeting, extra


def _bulk_audience(session: Session, data: dict[str, Any], now: dt.datetime) -> tuple[list[Recipient], dict[str, Any], dict[str, Any]]:
    """agency.bulk_processed: the agency's contact, unless the agency turned its mail off (its newest known state decides)."""
    meeting = store.save_meeting(session, data["meeting"], now)
    agency = digest_store.save_agency(session, data["agency"], now)
    if not agency.digest_enabled:
        return [], meeting, {}
    contact = {"agency_id": agency.id, "name": agency.name, "contact_email": agency.contact_email, "locale": agency.locale}
    return [agency_recipient(contact)], meeting, {"bulk": bulk_summary(data)}
