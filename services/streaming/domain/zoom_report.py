"""Reading a Zoom participant report (the CSV Zoom exports, or JSON rows) into presence intervals.

Pure: bytes or parsed JSON in, `PresenceRow`s out, or `ReportInvalid` naming the rows and columns
that are wrong. Matching rows to registrations and summing minutes happen elsewhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from services.streaming.domain.errors import ReportInvalid

# More rows than a 2 MiB body can hold for a meeting of thousands with rejoins; beyond it the file is not a report.
MAX_ROWS = 50_000
# Errors reported at most: enough to fix a file, not a 50,000-line answer for a wrong file.
MAX_ERRORS = 20
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999
# Zoom ends every meeting after 30 hours; a longer stay is a typo in a hand-made file.
MAX_STAY = dt.timedelta(hours=30)

# Header names Zoom has used in its exports (web portal "Participants", the meeting report, older
# and newer spellings), compared lower-cased with spaces collapsed.
COLUMN_ALIASES = {
    "name": ("name (original name)", "name", "participant", "participant name", "user name"),
    "email": ("user email", "email", "participant email", "attendee email"),
    "join": ("join time", "join time (local)"),
    "leave": ("leave time", "leave time (local)"),
    "waiting_room": ("in waiting room",),
}
HEADER_LABELS = {"email": "User Email", "join": "Join Time", "leave": "Leave Time"}

# Zoom writes local times without an offset: 12/01/2021 09:01:23 AM in the US-style export, and
# 2021-12-01 09:01:23 in the newer one; some exports drop the seconds.
ZOOM_DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
DATE_HINT = "MM/DD/YYYY hh:mm:ss AM/PM or YYYY-MM-DD HH:MM:SS"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True)
class PresenceRow:
    """One row of the report: someone in the Zoom meeting from `joined_at` to `left_at` (UTC)."""

    row: int  # the CSV line number, or the JSON row's position from 1: what the organizer looks up
    name: str | None
    email: str | None  # lower-cased; None when Zoom had none (a guest who did not sign in)
    joined_at: dt.datetime
    left_at: dt.datetime
    waiting_room: bool = False


def normalized_email(value: str | None) -> str | None:
    """Emails compare case-insensitively and without surrounding spaces; empty means none."""
    value = (value or "").strip().lower()
    return value or None


def _normalized_header(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").strip().lower().split())


class _Errors:
    """Collects per-row messages; the report is refused with all of them (up to MAX_ERRORS) at the end."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        if len(self.messages) < MAX_ERRORS:
            self.messages.setdefault(key, []).append(message)

    def raise_if_any(self, message: str) -> None:
        if self.messages:
            raise ReportInvalid(message, self.messages)


def parse_local_time(text: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A Zoom time in the meeting's zone (or ISO 8601, with or without offset) as an aware UTC datetime; ValueError if neither."""
    text = " ".join(text.strip().split())
    if not text:
        raise ValueError("empty")
    moment = None
    for pattern in ZOOM_DATE_FORMATS:
        try:
            moment = dt.datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    if moment is None:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError("year out of range")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC)


def _decode(data: bytes) -> str:
    try:
        # utf-8-sig drops the BOM that Excel and Zoom's Windows export put first.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportInvalid(
            "The file is not UTF-8 text.", {"file": [f"Byte {exc.start} is not UTF-8; export the report from Zoom again as CSV."]}
        ) from None


def _find_header(rows: Iterator[list[str]]) -> dict[str, int]:
    """Skip the meeting summary Zoom puts above the participants; return the column index of each known field."""
    for cells in rows:
        names = [_normalized_header(c) for c in cells]
        columns = {}
        for field, aliases in COLUMN_ALIASES.items():
            for alias in aliases:
                if alias in names:
                    columns[field] = names.index(alias)
                    break
        if "join" in columns and "leave" in columns:
            missing = [HEADER_LABELS[f] for f in ("email",) if f not in columns]
            if missing:
                raise ReportInvalid(
                    "The report has no email column.",
                    {"header": [f"Missing column: {', '.join(missing)} (Zoom: Name (Original Name), User Email, Join Time, Leave Time)."]},
                )
            return columns
    raise ReportInvalid(
        "No participant header found.",
        {"header": ["Expected a header line with User Email, Join Time and Leave Time, as in Zoom's participant report."]},
    )


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _times(errors: _Errors, key: str, join_text: str, leave_text: str, zone: zoneinfo.ZoneInfo, labels: tuple[str, str]):
    moments = []
    for label, text in zip(labels, (join_text, leave_text), strict=False):
        try:
            moments.append(parse_local_time(text, zone))
        except (ValueError, OverflowError):
            shown = text[:40] or "(empty)"
            errors.add(key, f"{label}: {shown!r} is not a date and time ({DATE_HINT}, or ISO 8601).")
    if len(moments) < 2:
        return None
    joined, left = moments
    if left < joined:
        errors.add(key, f"{labels[1]} is before {labels[0]}.")
        return None
    if left - joined > MAX_STAY:
        errors.add(key, f"{labels[1]} is more than 30 hours after {labels[0]} (Zoom ends a meeting after 30 hours).")
        return None
    return joined, left


def parse_zoom_csv(data: bytes, zone: zoneinfo.ZoneInfo) -> list[PresenceRow]:
    """The rows of a Zoom participant report; times without an offset are read in `zone`.

    A participant who left and came back has one row per stay; those rows are kept apart here and
    merged (overlaps once) when minutes are summed.
    """
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        columns = _find_header(reader)
        errors, result = _Errors(), []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(result) >= MAX_ROWS:
                raise ReportInvalid("The report is too long.", {"file": [f"At most {MAX_ROWS} rows."]})
            key = f"row {reader.line_num}"
            times = _times(errors, key, _cell(cells, columns["join"]), _cell(cells, columns["leave"]), zone, ("Join Time", "Leave Time"))
            if times is None:
                continue
            result.append(
                PresenceRow(
                    row=reader.line_num,
                    name=_cell(cells, columns.get("name")) or None,
                    email=normalized_email(_cell(cells, columns["email"])),
                    joined_at=times[0],
                    left_at=times[1],
                    waiting_room=_cell(cells, columns.get("waiting_room")).lower() in ("yes", "ya", "true", "1"),
                )
            )
    except csv.Error as exc:
        raise ReportInvalid("The file is not CSV.", {f"row {reader.line_num}": [f"Unreadable CSV: {exc}."]}) from None
    errors.raise_if_any("Some rows of the report are invalid; nothing was imported.")
    return result


def parse_json_rows(body: Any, zone: zoneinfo.ZoneInfo) -> list[PresenceRow]:
    """JSON rows `{email, name?, join_time, leave_time}` (a list, or `{"rows": [...]}`); ISO 8601, else read in `zone`."""
    rows = body.get("rows") if isinstance(body, dict) else body
    if not isinstance(rows, list) or not rows:
        raise ReportInvalid("Expected a list of rows.", {"rows": ["Send a non-empty list of {email, name, join_time, leave_time}."]})
    if len(rows) > MAX_ROWS:
        raise ReportInvalid("The report is too long.", {"rows": [f"At most {MAX_ROWS} rows."]})
    errors, result = _Errors(), []
    for number, item in enumerate(rows, start=1):
        key = f"row {number}"
        if not isinstance(item, dict):
            errors.add(key, "Must be an object {email, name, join_time, leave_time}.")
            continue
        fields = {name: item.get(name) for name in ("email", "name", "join_time", "leave_time")}
        wrong = [name for name, value in fields.items() if value is not None and not isinstance(value, str)]
        for name in wrong:
            errors.add(key, f"{name}: must be a string.")
        if wrong:
            continue
        times = _times(errors, key, fields["join_time"] or "", fields["leave_time"] or "", zone, ("join_time", "leave_time"))
        email = normalized_email(fields["email"])
        if email is not None and (len(email) > 320 or not _EMAIL.match(email)):
            errors.add(key, "email: not an email address.")
            continue
        if times is not None:
            result.append(PresenceRow(number, (fields["name"] or "").strip()[:300] or None, email, times[0], times[1]))
    errors.raise_if_any("Some rows are invalid; nothing was imported.")
    return result


def attended_rows(rows: list[PresenceRow]) -> tuple[list[PresenceRow], int]:
    """The rows that count, and how many were time spent in the waiting room (not in the meeting)."""
    kept = [r for r in rows if not r.waiting_room]
    return kept, len(rows) - len(kept)
