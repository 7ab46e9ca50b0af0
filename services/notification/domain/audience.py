"""Who hears about a registration or certificate event, and what their message may show of them.

The read models (meeting, contacts) are kept by services/notification/audience.py; these are the
rules it applies to what they hold.
"""

from __future__ import annotations

from typing import Any

from services.notification.domain.messages import Recipient

CERTIFICATE_FIELDS = ("certificate_id", "number", "agency_name", "meeting_title", "meeting_date", "hours", "verify_url")


def shows_links(attendance_mode: str, link_revoked: bool) -> bool:
    """A message shows the personal join links to an online participant whose link was not revoked."""
    return attendance_mode == "online" and not link_revoked


def registration_recipient(
    data: dict[str, Any], status: str, *, join_url: str | None, youtube_url: str | None, link_revoked: bool
) -> tuple[Recipient, dict[str, Any]]:
    """The participant of a registration.* event, and the template extras: the event's payload is the truth for this message.

    `join_url` / `youtube_url` are the links the contact holds (they come from streaming's events).
    """
    person = data["participant"]
    links = shows_links(data["attendance_mode"], link_revoked)
    recipient = Recipient(
        registration_id=data["registration_id"],
        full_name=person["full_name"],
        email=person["email"],
        phone=person.get("phone"),
        locale=person.get("locale") or "id",
        attendance_mode=data["attendance_mode"],
        status=status,
        check_in_code=data.get("check_in_code"),
        join_url=join_url if links else None,
        youtube_url=youtube_url if links else None,
        position=person.get("position"),
        agency_name=data.get("agency_name"),
    )
    extra = {"waitlist_position": data.get("waitlist_position"), "previous_mode": data.get("previous_mode")}
    if links:
        extra.update(join_url=recipient.join_url, youtube_url=recipient.youtube_url)
    return recipient, extra


def certificate_recipient(data: dict[str, Any]) -> tuple[Recipient, dict[str, Any]]:
    """certificate.issued: the participant alone (by email), with what the PDF prints (rendered when the mail is sent)."""
    person = data["participant"]
    recipient = Recipient(
        registration_id=data["registration_id"],
        full_name=person["full_name"],
        email=person["email"],
        phone=None,
        locale=person.get("locale") or "id",
        attendance_mode="",
        status="confirmed",
        position=person.get("position"),
        agency_name=data["agency_name"],
    )
    certificate = {name: data[name] for name in CERTIFICATE_FIELDS}
    certificate.update(
        full_name=person["full_name"], nip=person.get("nip"), position=person.get("position"), meeting_date=str(data["meeting_date"])
    )
    return recipient, {"certificate": certificate}
