"""Which messages a bus event causes, to whom, over which channel, and with which calendar method."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

EMAIL, SMS, WHATSAPP = "email", "sms", "whatsapp"
# Not a channel of its own: an SMS sent in place of a WhatsApp message that failed or stayed undelivered.
SMS_FALLBACK = "sms_fallback"
CHANNELS = (EMAIL, SMS, WHATSAPP)
# A meeting without a `channels` list (snapshots from before it existed) writes as it always did.
DEFAULT_MEETING_CHANNELS = (EMAIL, SMS)

# The message kind each event type sends; the kind names the templates.
KIND_BY_EVENT = {
    "registration.confirmed": "confirmed",
    "registration.promoted": "promoted",
    "registration.waitlisted": "waitlisted",
    "registration.cancelled": "cancelled",
    "registration.mode_changed": "mode_changed",
    "stream.link_issued": "link_issued",
    "event.updated": "meeting_updated",
    "event.cancelled": "meeting_cancelled",
    "certificate.issued": "certificate",
}
# Reminders come from the meeting's own schedule, not from a bus event.
REMINDER = "reminder"
KINDS = (*KIND_BY_EVENT.values(), REMINDER)
# Kinds that go by email only: a certificate is a PDF attachment, nothing an SMS could carry.
EMAIL_ONLY_KINDS = frozenset({"certificate"})

# The invitation attached to an email, by kind: REQUEST adds or updates the calendar entry, CANCEL removes it.
CALENDAR_METHOD = {
    "confirmed": "REQUEST",
    "promoted": "REQUEST",
    "mode_changed": "REQUEST",
    "meeting_updated": "REQUEST",
    # The link mail updates the entry so that the calendar's "Join" carries the personal link.
    "link_issued": "REQUEST",
    "cancelled": "CANCEL",
    "meeting_cancelled": "CANCEL",
}
# Kinds sent to a whole meeting, whose calendar entry only people with a place (confirmed) ever received.
_MEETING_WIDE = ("meeting_updated", "meeting_cancelled")

# Changes a participant must hear about; a new title or health protocol waits for the next message.
SCHEDULE_FIELDS = frozenset({"starts_at", "ends_at", "timezone", "venue", "venue.name", "venue.address", "venue.city"})


@dataclass(frozen=True)
class Recipient:
    """A registration as the messages need it."""

    registration_id: str
    full_name: str
    email: str
    phone: str | None
    locale: str
    attendance_mode: str
    status: str
    check_in_code: str | None = None
    join_url: str | None = None
    youtube_url: str | None = None
    position: str | None = None
    agency_name: str | None = None


@dataclass(frozen=True)
class PlannedMessage:
    """One message to send: a notification row is created for it, unique per (source event, channel, address)."""

    kind: str
    channel: str
    address: str
    recipient: Recipient
    calendar_method: str | None
    # WhatsApp only: an SMS stands in if this one fails or is not delivered in time.
    sms_fallback: bool = False


def announces_schedule_change(changed_fields: Iterable[str]) -> bool:
    """True when event.updated moved the meeting in time or place."""
    return any(field in SCHEDULE_FIELDS or field.startswith("venue.") for field in changed_fields)


def is_active(status: str) -> bool:
    """Participants who still expect the meeting: confirmed or waiting for a seat."""
    return status in ("confirmed", "waitlisted")


def calendar_method_for(kind: str, recipient: Recipient) -> str | None:
    """The .ics method for this kind; only people with a place (confirmed) get a calendar entry on updates."""
    method = CALENDAR_METHOD.get(kind)
    if kind in _MEETING_WIDE and recipient.status != "confirmed":
        return None
    return method


def plan_messages(kind: str, recipients: Iterable[Recipient], channels: Iterable[str] | None = None) -> list[PlannedMessage]:
    """One message per channel the meeting asks for: email to everyone, SMS and WhatsApp to those with a mobile number.

    `sms_fallback` plans nothing here: that SMS exists only once WhatsApp failed or stayed undelivered.
    """
    wanted = tuple(channels) if channels else DEFAULT_MEETING_CHANNELS
    planned = []
    for recipient in recipients:
        if EMAIL in wanted:
            planned.append(PlannedMessage(kind, EMAIL, recipient.email.strip().lower(), recipient, calendar_method_for(kind, recipient)))
        if kind in EMAIL_ONLY_KINDS or not recipient.phone:
            continue
        if WHATSAPP in wanted:
            planned.append(PlannedMessage(kind, WHATSAPP, recipient.phone, recipient, None, sms_fallback=SMS_FALLBACK in wanted))
        if SMS in wanted:
            planned.append(PlannedMessage(kind, SMS, recipient.phone, recipient, None))
    return planned


def calendar_uid(registration_id: str, domain: str = "rakor") -> str:
    """One UID per registration, so confirmation, updates and cancellation act on the same calendar entry."""
    return f"registration-{registration_id}@{domain}"


def build_context(
    message: PlannedMessage,
    meeting: dict[str, Any],
    *,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the templates need for one message, as JSON-ready data (stored on the notification row)."""
    recipient = message.recipient
    context: dict[str, Any] = {
        "kind": message.kind,
        "channel": message.channel,
        "locale": recipient.locale if recipient.locale in ("id", "en") else "id",
        "participant": asdict(recipient),
        "meeting": meeting,
        "calendar": None,
    }
    if message.calendar_method:
        sequence = int(meeting.get("sequence") or 0)
        context["calendar"] = {
            "method": message.calendar_method,
            "uid": calendar_uid(recipient.registration_id),
            # A CANCEL must not be older than the REQUEST it withdraws, or calendars ignore it.
            "sequence": sequence + 1 if message.calendar_method == "CANCEL" else sequence,
        }
    context.update(extra or {})
    return context
