"""The attendance list as people sign and file it: who, from which agency, how, and when they came.

Built from the attendance report (operations.attendance) for both the PDF daftar hadir and the XLSX:
confirmed participants only (the waitlisted and cancelled have no place to sign), grouped by agency,
times written in the meeting's zone.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any, Iterable

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


def _clock(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%H.%M")


def long_date(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """'Rabu, 1 Desember 2021' in the meeting's zone."""
    local = moment.astimezone(zone)
    return f"{DAYS_ID[local.weekday()]}, {local.day} {MONTHS_ID[local.month - 1]} {local.year}"


def build_sheet(meeting: dict[str, Any], participants: Iterable[dict[str, Any]], agencies: list[dict[str, Any]], totals: dict[str, int]) -> AttendanceSheet:
    """The sheet of one meeting from the attendance report's participants and per-agency counts."""
    zone = zoneinfo.ZoneInfo(meeting["timezone"])
    by_agency: dict[str, list[SheetRow]] = {}
    for p in participants:
        if p["status"] != "confirmed":
            continue
        came = p["checked_in_at"] if p["attendance_mode"] == "in_person" else p["online_joined_at"]
        by_agency.setdefault(p["agency_id"], []).append(SheetRow(
            full_name=p["full_name"], nip=p["nip"] or "", position=p["position"] or "", agency_name=p["agency_name"],
            mode=MODES_ID.get(p["attendance_mode"], p["attendance_mode"]), arrived=_clock(came, zone), attended=bool(p["attended"]),
        ))
    groups = tuple(
        AgencyGroup(a["agency_id"], a["agency_name"], tuple(sorted(by_agency.get(a["agency_id"], []), key=lambda r: r.full_name.lower())), a)
        for a in agencies
        if by_agency.get(a["agency_id"])
    )
    venue = ", ".join(part for part in (meeting["venue_name"], meeting["venue_address"], meeting.get("venue_city")) if part)
    return AttendanceSheet(meeting["title"], long_date(meeting["starts_at"], zone), venue, groups, totals)
