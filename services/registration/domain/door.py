"""The door: who may be checked in (and why not), a check-in recorded once, and its undo; door-token validity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.registration.domain.errors import Conflict
from services.registration.domain.seats import CANCELLED, CONFIRMED, IN_PERSON, WAITLISTED

# The reasons a check-in is refused, as the door page shows them (409 {"reason": ...}).
NOT_THIS_MEETING, CANCELLED_REASON, WAITLISTED_REASON, ONLINE_REASON = "not_this_meeting", "cancelled", "waitlisted", "online"
REFUSAL_REASONS = (CANCELLED_REASON, WAITLISTED_REASON, ONLINE_REASON, NOT_THIS_MEETING)
NOT_CHECKED_IN = "not_checked_in"

_MESSAGES = {
    NOT_THIS_MEETING: "This person is registered for another meeting.",
    CANCELLED_REASON: "This registration was cancelled; the check-in code is no longer valid.",
    WAITLISTED_REASON: "This person is on the waitlist and has no seat.",
    ONLINE_REASON: "This person attends online and has no seat at the venue.",
    NOT_CHECKED_IN: "This person is not checked in; there is nothing to undo.",
}


class CheckInRefused(Conflict):
    """The door may not check this registration in (or undo it); `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(_MESSAGES[reason], reason=reason)
        self.reason = reason


@dataclass(frozen=True)
class Attendee:
    """What the door rules need to know of a registration."""

    event_id: str
    status: str
    attendance_mode: str
    checked_in_at: dt.datetime | None


def refusal(attendee: Attendee, event_id: str) -> str | None:
    """Why `attendee` may not be checked in at the door of `event_id`, or None when they may.

    Another meeting comes first: the door staff must send that person elsewhere whatever their status.
    """
    if attendee.event_id != event_id:
        return NOT_THIS_MEETING
    if attendee.status == CANCELLED:
        return CANCELLED_REASON
    if attendee.status == WAITLISTED:
        return WAITLISTED_REASON
    if attendee.status != CONFIRMED or attendee.attendance_mode != IN_PERSON:
        return ONLINE_REASON
    return None


@dataclass(frozen=True)
class CheckIn:
    """The outcome of a scan: the check-in time and whether an earlier scan had already recorded it."""

    checked_in_at: dt.datetime
    already_checked_in: bool

    @property
    def is_new(self) -> bool:
        return not self.already_checked_in


def check_in(attendee: Attendee, event_id: str, now: dt.datetime) -> CheckIn:
    """Check `attendee` in at `now`, once: a second scan answers the first time. Raises CheckInRefused."""
    reason = refusal(attendee, event_id)
    if reason is not None:
        raise CheckInRefused(reason)
    if attendee.checked_in_at is not None:
        return CheckIn(attendee.checked_in_at, already_checked_in=True)
    return CheckIn(now, already_checked_in=False)


def undo_check_in(attendee: Attendee, event_id: str) -> dt.datetime:
    """The check-in time to clear; refuses another meeting's registration and one not checked in."""
    if attendee.event_id != event_id:
        raise CheckInRefused(NOT_THIS_MEETING)
    if attendee.checked_in_at is None:
        raise CheckInRefused(NOT_CHECKED_IN)
    return attendee.checked_in_at
