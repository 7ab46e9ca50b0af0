"""Certificates of attendance: who earns one, when they may be issued, and how they are numbered."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from services.registration.domain.attendance import JOINED_ONCE, OnlineRule, attended
from services.registration.domain.errors import Conflict
from services.registration.domain.seats import CONFIRMED


class MeetingNotOver(Conflict):
    """Certificates are issued only once the meeting has ended."""


@dataclass(frozen=True)
class Attendance:
    """What decides a certificate: the registration's state and whether the person was there."""

    status: str
    checked_in_at: dt.datetime | None
    online_joined_at: dt.datetime | None
    online_minutes: int | None = None
    rule: OnlineRule = JOINED_ONCE


def earns_certificate(attendance: Attendance) -> bool:
    """A confirmed participant who checked in at the door or attended online.

    Online means, once the meeting has a Zoom report, at least its `min_online_minutes` in the report;
    before any report, having joined through the personal link. A cancelled registration earns
    nothing, even with a check-in recorded before it was cancelled.
    """
    present = attended(attendance.checked_in_at, attendance.online_joined_at, attendance.online_minutes, attendance.rule)
    return attendance.status == CONFIRMED and present


def check_meeting_is_over(ends_at: dt.datetime, now: dt.datetime) -> None:
    """Raise MeetingNotOver before `ends_at`: no one has attended the whole meeting yet."""
    if now < ends_at:
        raise MeetingNotOver(f"The meeting ends at {ends_at.isoformat()}; certificates are issued after that.")


def meeting_date(starts_at: dt.datetime, timezone: str) -> dt.date:
    """The meeting's calendar day as the participants saw it (in the meeting's zone, not UTC)."""
    return starts_at.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def certificate_number(seq: int, suffix: str, year: int) -> str:
    """`001/SERT/RAKOR/2021`: the sequence within the meeting, the organizer's suffix, the meeting's year."""
    return f"{seq:03d}/{suffix}/{year}"
