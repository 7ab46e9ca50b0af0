"""A meeting's reminders: an ISO 8601 duration before the start, optionally moved to a local time of that day."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

MAX_REMINDERS = 5
# Beyond this a "reminder" is an announcement; it also keeps absurd values (P99999999D) out of date arithmetic.
LONGEST = dt.timedelta(days=90)
# Weeks, days, hours, minutes and seconds only: years and months have no fixed length, so "P1M before"
# would not name one moment.
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d{1,4})W)?(?:(?P<days>\d{1,4})D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d{1,5})H)?(?:(?P<minutes>\d{1,7})M)?(?:(?P<seconds>\d{1,9})S)?)?"
)
_CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")


def parse_before(text: str) -> dt.timedelta:
    """The duration of an ISO 8601 text such as P1D, PT1H, PT30M or P2DT3H; ValueError with a readable message."""
    match = _DURATION.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    if match is None or text.strip().upper() in ("P", "PT"):
        raise ValueError("Not an ISO 8601 duration in weeks, days, hours or minutes (e.g. P1D, PT1H, P2DT3H).")
    duration = dt.timedelta(**{unit: int(value) for unit, value in match.groupdict().items() if value})
    if duration <= dt.timedelta(0):
        raise ValueError("Must be a positive duration.")
    if duration > LONGEST:
        raise ValueError(f"Must be at most {LONGEST.days} days before the start.")
    return duration


def check_at(before: dt.timedelta, at: str | None) -> None:
    """`at` (HH:MM, 24-hour) moves the reminder to that local time of the day `before` whole days earlier."""
    if at is None:
        return
    if not isinstance(at, str) or not _CLOCK.fullmatch(at):
        raise ValueError("Not a time of day as HH:MM (e.g. 09:00).")
    if before % dt.timedelta(days=1):
        # "PT1H at 09:00" names no day; with whole days the moment is always on an earlier day than the start.
        raise ValueError("A time of day needs a duration of whole days (e.g. P1D).")


def normalized(reminder: Mapping[str, Any]) -> dict[str, str | None]:
    """The stored and announced form: upper-case duration, `at` always present (None when unset)."""
    return {"before": reminder["before"].strip().upper(), "at": reminder.get("at")}


def list_problems(reminders: Iterable[Mapping[str, Any]]) -> list[str]:
    """Messages about the list as a whole (count, duplicates); entries are assumed valid one by one."""
    reminders = list(reminders)
    problems = []
    if len(reminders) > MAX_REMINDERS:
        problems.append(f"At most {MAX_REMINDERS} reminders.")
    moments = [(parse_before(r["before"]), r.get("at")) for r in reminders]
    if len(set(moments)) != len(moments):
        problems.append("The same reminder is given twice.")
    return problems
