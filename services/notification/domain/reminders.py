"""When a meeting's reminders are due, and whether a due reminder may still go out (pure, the clock is passed in)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from services.notification.domain.claims import ARMED, SENDING

# A reminder whose moment passed less than this long ago is still sent (a worker restarting, a slow
# poll); later than that it is skipped: a "tomorrow at 09:00" reminder read at 11:00 misleads.
SEND_GRACE = dt.timedelta(minutes=5)

# Besides sent, how a reminder ends: its moment gone (skipped), or no longer wanted (cancelled).
SKIPPED, CANCELLED = "skipped", "cancelled"
# Rows still waiting for their moment or being sent: the ones a move or a cancellation withdraws.
OPEN = (ARMED, SENDING)

SEND, SKIP, CANCEL = "send", "skip", "cancel"

_DURATION = re.compile(r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$")
_CLOCK = re.compile(r"^(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)$")


class InvalidReminder(ValueError):
    """A reminder whose `before` is not an ISO 8601 duration of weeks/days/hours/minutes/seconds, or a bad `at`."""


@dataclass(frozen=True)
class DueReminder:
    """One of a meeting's reminders at its moment; `key` names the reminder (e.g. 'P1D@09:00')."""

    key: str
    due_at: dt.datetime
    status: str  # armed, or skipped when its moment had passed when it was armed


def parse_duration(text: str) -> tuple[int, dt.timedelta]:
    """'P1DT2H' -> (1 calendar day, 2 hours). Days and weeks count on the local calendar, the rest on the clock."""
    match = _DURATION.match(text or "")
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise InvalidReminder(f"{text!r} is not an ISO 8601 duration such as P1D or PT1H")
    parts = {name: int(value or 0) for name, value in match.groupdict().items()}
    clock = dt.timedelta(hours=parts["hours"], minutes=parts["minutes"], seconds=parts["seconds"])
    return parts["weeks"] * 7 + parts["days"], clock


def reminder_key(reminder: dict[str, Any]) -> str:
    return f"{reminder['before']}@{reminder['at']}" if reminder.get("at") else reminder["before"]


def due_moment(starts_at: dt.datetime, timezone: str, reminder: dict[str, Any]) -> dt.datetime:
    """The moment of one reminder: `before` earlier than the start, then moved to `at` on that local day."""
    days, clock = parse_duration(reminder["before"])
    zone = ZoneInfo(timezone)
    local = starts_at.astimezone(zone)
    # Calendar days on the wall clock, so "P1D" stays the day before across a DST change.
    moment = (local.replace(tzinfo=None) - dt.timedelta(days=days)).replace(tzinfo=zone) - clock
    if reminder.get("at"):
        match = _CLOCK.match(reminder["at"])
        if not match:
            raise InvalidReminder(f"at={reminder['at']!r} is not a local time HH:MM")
        day = moment.astimezone(zone)
        moment = day.replace(hour=int(match["hour"]), minute=int(match["minute"]), second=0, microsecond=0)
    return moment.astimezone(dt.UTC)


def plan_reminders(meeting: dict[str, Any], now: dt.datetime, grace: dt.timedelta = SEND_GRACE) -> list[DueReminder]:
    """The reminders a meeting snapshot asks for, each armed or (moment already passed) skipped.

    A cancelled meeting asks for none; a reminder that would fall at or after the start is dropped.
    """
    if meeting.get("status") == "cancelled":
        return []
    starts_at = _moment(meeting["starts_at"])
    planned: dict[tuple[str, dt.datetime], DueReminder] = {}
    for reminder in meeting.get("reminders") or ():
        due_at = due_moment(starts_at, meeting.get("timezone") or "Asia/Jakarta", reminder)
        if due_at >= starts_at:
            continue
        status = ARMED if now < due_at + grace and now < starts_at else SKIPPED
        planned.setdefault((reminder_key(reminder), due_at), DueReminder(reminder_key(reminder), due_at, status))
    return sorted(planned.values(), key=lambda r: (r.due_at, r.key))


def decide(
    key: str, due_at: dt.datetime, meeting: dict[str, Any] | None, *, started: bool, now: dt.datetime, grace: dt.timedelta = SEND_GRACE
) -> str:
    """What to do with a claimed reminder now: send, skip (its moment is gone) or cancel (the meeting no longer asks for it).

    A fan-out begun in time (`started`) goes on after the grace, e.g. after a crash; nothing goes out
    once the meeting has started.
    """
    if meeting is None or meeting.get("status") == "cancelled":
        return CANCEL
    if not any(r.key == key and r.due_at == due_at for r in plan_reminders(meeting, due_at)):
        # The meeting moved or its reminders changed after this row was armed: nothing for the old time.
        return CANCEL
    if now >= _moment(meeting["starts_at"]):
        return SKIP
    if not started and now >= due_at + grace:
        return SKIP
    return SEND


def receives_reminders(status: str) -> bool:
    """Only confirmed participants are reminded; waitlisted and cancelled ones have no seat to come to."""
    return status == "confirmed"


def withdrawn(open_rows: Iterable[tuple[str, dt.datetime]], planned: Iterable[DueReminder]) -> set[tuple[str, dt.datetime]]:
    """Open (key, due_at) rows the new plan no longer has: cancelled so nothing goes for the old time."""
    wanted = {(r.key, r.due_at) for r in planned}
    return {row for row in open_rows if row not in wanted}


def _moment(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
