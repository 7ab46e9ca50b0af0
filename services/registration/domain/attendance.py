"""Attendance: door check-ins and online joins merged per participant and summed per agency."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.registration.domain.seats import CANCELLED, CONFIRMED, IN_PERSON, ONLINE, WAITLISTED


@dataclass(frozen=True)
class OnlineRule:
    """How a meeting decides online attendance: by its Zoom report once one exists, else by a join."""

    report_exists: bool = False
    min_minutes: int = 0


JOINED_ONCE = OnlineRule()


def attended_online(online_joined_at: object, online_minutes: int | None, rule: OnlineRule) -> bool:
    """With a Zoom report: in it for at least the meeting's minimum; without one: opened the link once.

    Someone absent from the report (minutes None) has not attended online even with a minimum of 0:
    the report is the better witness, and a link opened once is not presence.
    """
    if rule.report_exists:
        return online_minutes is not None and online_minutes >= rule.min_minutes
    return online_joined_at is not None


def attended(checked_in_at: object, online_joined_at: object, online_minutes: int | None, rule: OnlineRule) -> bool:
    """Checked in at the door, or attended online as the meeting's rule says."""
    return checked_in_at is not None or attended_online(online_joined_at, online_minutes, rule)


@dataclass(frozen=True)
class AttendanceRow:
    """One registration with what is known of its attendance."""

    registration_id: str
    agency_id: str
    agency_name: str
    full_name: str
    email: str
    nip: str | None
    position: str | None
    attendance_mode: str
    status: str
    checked_in_at: object
    online_joined_at: object
    online_join_count: int
    online_minutes: int | None = None
    rule: OnlineRule = JOINED_ONCE

    @property
    def first_join_at(self) -> object:
        """The earliest online join known, by personal link or in a Zoom report."""
        return self.online_joined_at

    @property
    def attended(self) -> bool:
        return attended(self.checked_in_at, self.online_joined_at, self.online_minutes, self.rule)


def _empty_counts() -> dict[str, int]:
    return {
        "registered": 0,
        "confirmed": 0,
        "waitlisted": 0,
        "cancelled": 0,
        "in_person_confirmed": 0,
        "checked_in": 0,
        "online_confirmed": 0,
        "joined_online": 0,
        "attended": 0,
    }


def _add(counts: dict[str, int], row: AttendanceRow) -> None:
    counts["registered"] += 1
    counts[{CONFIRMED: "confirmed", WAITLISTED: "waitlisted", CANCELLED: "cancelled"}[row.status]] += 1
    if row.status == CONFIRMED and row.attendance_mode == IN_PERSON:
        counts["in_person_confirmed"] += 1
    if row.status == CONFIRMED and row.attendance_mode == ONLINE:
        counts["online_confirmed"] += 1
    counts["checked_in"] += row.checked_in_at is not None
    counts["joined_online"] += row.online_joined_at is not None
    counts["attended"] += row.attended


def summarize(rows: Iterable[AttendanceRow]) -> tuple[dict[str, int], list[dict]]:
    """Totals over all rows, and the same counts per agency (ordered by agency name)."""
    total = _empty_counts()
    per_agency: dict[str, dict] = {}
    for row in rows:
        _add(total, row)
        entry = per_agency.setdefault(row.agency_id, {"agency_id": row.agency_id, "agency_name": row.agency_name, **_empty_counts()})
        _add(entry, row)
    return total, sorted(per_agency.values(), key=lambda e: (e["agency_name"].lower(), e["agency_id"]))
