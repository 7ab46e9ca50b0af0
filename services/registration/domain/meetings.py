"""Rules of a meeting's fields: consistent times, capacity and quota, and what a change means for invitations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from services.registration.domain.errors import MeetingCancelled
from shared.schemas.events import MEETING_STATUSES

# A change of these fields makes the calendar invitations out of date: their SEQUENCE is raised.
SCHEDULE_FIELDS = ("starts_at", "ends_at", "timezone", "venue")
# Far-off years are typos, and before ~1925 zones have offsets in seconds (LMT +07:07:12) that the
# ISO 8601 of the events on the bus cannot carry: such a meeting could be saved but never announced.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999
TIME_FIELDS = ("starts_at", "ends_at", "registration_closes_at")


def validate_meeting(fields: Mapping[str, Any]) -> dict[str, list[str]]:
    """Errors per field of a whole meeting (after a PATCH is merged); empty when it is consistent."""
    errors: dict[str, list[str]] = {}
    for name in TIME_FIELDS:
        value = fields.get(name)
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            errors[name] = [f"Must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}."]
    if errors:
        return errors
    if fields["ends_at"] <= fields["starts_at"]:
        errors["ends_at"] = ["Must be after starts_at."]
    capacity, quota = fields["in_person_capacity"], fields.get("agency_in_person_quota")
    if quota is not None and quota > capacity:
        errors["agency_in_person_quota"] = [f"Must not exceed in_person_capacity ({capacity})."]
    channel_errors = channel_policy_errors(fields.get("channels"))
    if channel_errors:
        errors["channels"] = channel_errors
    closes = fields.get("registration_closes_at")
    if closes is not None and closes > fields["ends_at"]:
        errors["registration_closes_at"] = ["Must not be after ends_at."]
    return errors


def changed_fields(current: Mapping[str, Any], proposed: Mapping[str, Any]) -> list[str]:
    """Names of the fields whose proposed value differs from the current one, in the proposal's order."""
    return [name for name, value in proposed.items() if current.get(name) != value]


def bumps_sequence(changed: list[str]) -> bool:
    """Whether these changes need updated calendar invitations (time or venue)."""
    return any(name in SCHEDULE_FIELDS for name in changed)


def registration_is_open(closes_at: dt.datetime | None, now: dt.datetime) -> bool:
    return closes_at is None or now < closes_at


SCHEDULED, CANCELLED = MEETING_STATUSES


def ensure_scheduled(status: str, refused: str) -> None:
    """Refuse a change (`refused` says which, e.g. "New registrations are") to a meeting that was called off.

    Cancelling is final: reading, listing and attendance still work, nothing else changes the meeting.
    """
    if status == CANCELLED:
        raise MeetingCancelled(f"This meeting was cancelled; {refused} no longer possible.")


def ensure_cancellable(status: str) -> None:
    if status == CANCELLED:
        raise MeetingCancelled("This meeting is already cancelled.")


def channel_policy_errors(channels: list[str] | None) -> list[str]:
    """What is wrong with a meeting's channel order (None: not given, the default applies)."""
    if channels is None:
        return []
    if not channels:
        return ["Name at least one channel."]
    if len(set(channels)) != len(channels):
        return ["Name each channel once."]
    if "sms_fallback" in channels:
        if "whatsapp" not in channels or channels.index("whatsapp") > channels.index("sms_fallback"):
            return ["sms_fallback needs whatsapp before it."]
        if "sms" in channels:
            return ["sms_fallback and sms exclude each other: sms always sends, sms_fallback only when WhatsApp did not arrive."]
    return []
