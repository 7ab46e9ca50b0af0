"""The attendance list as people sign and file it: who, from which agency, how, and when they came.

Built from the attendance report (operations.attendance) for both the PDF daftar hadir and the XLSX:
confirmed participants only (the waitlisted and cancelled have no place to sign), grouped by agency,
times written in the meeting's zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MODES_ID = {"in_person": "Luring", "online": "Daring"}


@dataclass(frozen=True)
class SheetRow:
    full_name: str
    nip: str
    position: str
    agency_name: str
    mode: str
    arrived: str  # "09.05" in the meeting's zone, "" when not (yet) present
    attended: bool
    online_minutes: int | None = None  # from the Zoom report; None for in-person people and those in no report


@dataclass(frozen=True)
class AgencyGroup:
    agency_id: str
    agency_name: str
    rows: tuple[SheetRow, ...]
    totals: dict[str, int]


@dataclass(frozen=True)
class AttendanceSheet:
    title: str
    date: str
    venue: str
    groups: tuple[AgencyGroup, ...]
    totals: dict[str, int]
    organizer_name: str | None = None  # the letterhead; None: the meeting names no organizer
    organizer_unit: str | None = None
    online_rule: str = ""  # how online attendance was judged, printed under the heading


def _clock(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%H.%M")


def long_date(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """'Rabu, 1 Desember 2021' in the meeting's zone."""
    local = moment.astimezone(zone)
    return f"{DAYS_ID[local.weekday()]}, {local.day} {MONTHS_ID[local.month - 1]} {local.year}"


def build_sheet(
    meeting: dict[str, Any], participants: Iterable[dict[str, Any]], agencies: list[dict[str, Any]], totals: dict[str, int]
) -> AttendanceSheet:
    """The sheet of one meeting from the attendance report's participants and per-agency counts."""
    zone = zoneinfo.ZoneInfo(meeting["timezone"])
    by_agency: dict[str, list[SheetRow]] = {}
    for p in participants:
        if p["status"] != "confirmed":
            continue
        came = p["checked_in_at"] if p["attendance_mode"] == "in_person" else p["first_join_at"]
        minutes = p.get("online_minutes") if p["attendance_mode"] == "online" else None
        by_agency.setdefault(p["agency_id"], []).append(
            SheetRow(
                full_name=p["full_name"],
                nip=p["nip"] or "",
                position=p["position"] or "",
                agency_name=p["agency_name"],
                mode=MODES_ID.get(p["attendance_mode"], p["attendance_mode"]),
                arrived=_clock(came, zone),
                attended=bool(p["attended"]),
                online_minutes=minutes,
            )
        )
    groups = tuple(
        AgencyGroup(
            a["agency_id"], a["agency_name"], tuple(sorted(by_agency.get(a["agency_id"], []), key=lambda r: r.full_name.lower())), a
        )
        for a in agencies
        if by_agency.get(a["agency_id"])
    )
    venue = ", ".join(part for part in (meeting["venue_name"], meeting["venue_address"], meeting.get("venue_city")) if part)
    organizer = meeting.get("organizer") or {}
    return AttendanceSheet(
        meeting["title"],
        long_date(meeting["starts_at"], zone),
        venue,
        groups,
        totals,
        organizer_name=organizer.get("name"),
        organizer_unit=organizer.get("unit"),
        online_rule=online_rule_text(meeting),
    )


def online_rule_text(meeting: dict[str, Any]) -> str:
    """One line saying how online attendance was judged: the Zoom report and its minimum, or the personal link."""
    if not meeting.get("online_report"):
        return "Kehadiran daring: membuka tautan pribadi selama rapat."
    minimum = meeting.get("min_online_minutes") or 0
    if minimum:
        return f"Kehadiran daring: laporan peserta Zoom, paling sedikit {minimum} menit."
    return "Kehadiran daring: tercatat pada laporan peserta Zoom."


def arrival_cell(row: SheetRow) -> str:
    """The 'Waktu hadir' cell: the time, and for online people in a report their minutes ("09.05 (95 mnt)")."""
    if row.online_minutes is None:
        return row.arrived
    return f"{row.arrived} ({row.online_minutes} mnt)".strip()
