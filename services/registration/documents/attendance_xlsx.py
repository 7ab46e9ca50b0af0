"""The attendance list as an XLSX workbook: a summary sheet with each agency's totals, then one sheet per agency."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from services.registration.documents.attendance_sheet import AttendanceSheet, SheetRow

SUMMARY = "Ringkasan"
TOTAL_COLUMNS = (
    ("Instansi", "agency_name"),
    ("Terdaftar", "registered"),
    ("Terkonfirmasi", "confirmed"),
    ("Daftar tunggu", "waitlisted"),
    ("Batal", "cancelled"),
    ("Check-in", "checked_in"),
    ("Bergabung daring", "joined_online"),
    ("Hadir", "attended"),
)
ROW_HEADERS = ("No", "Nama", "NIP", "Jabatan", "Instansi", "Mode", "Waktu hadir", "Menit daring", "Hadir")
# Excel's limits on sheet names: at most 31 characters, none of []:*?/\ .
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(agency_name: str, taken: set[str]) -> str:
    """A valid, unique sheet name for the agency (shortened and numbered when needed)."""
    base = " ".join(_FORBIDDEN.sub(" ", agency_name).split()).strip("'")[:31] or "Instansi"
    name, n = base, 2
    while name.lower() in taken or name.lower() == SUMMARY.lower():
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _text(sheet, value):
    # Always a string cell: openpyxl would store text starting with "=" as a formula.
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _header(sheet, names) -> list:
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _organizer_line(sheet: AttendanceSheet) -> str:
    return " — ".join(part for part in (sheet.organizer_name, sheet.organizer_unit) if part)


def _heading(sheet: AttendanceSheet) -> list[str]:
    """The summary's header lines: the organizer (as on the letterhead), the meeting, how online attendance was judged."""
    lines = [_organizer_line(sheet)] if sheet.organizer_name else []
    return lines + [sheet.title, f"{sheet.date} — {sheet.venue}", sheet.online_rule]


def _row(page, number: int, row: SheetRow) -> list:
    texts = [_text(page, v) for v in (row.full_name, row.nip, row.position, row.agency_name, row.mode, row.arrived)]
    return [number, *texts, row.online_minutes, "ya" if row.attended else "tidak"]


def render_attendance_xlsx(sheet: AttendanceSheet) -> bytes:
    """The workbook of `sheet` as XLSX bytes (write-only mode: rows streamed, not kept as cell objects)."""
    book = Workbook(write_only=True)
    summary = book.create_sheet(SUMMARY)
    for line in _heading(sheet):
        summary.append([_text(summary, line)])
    summary.append([])
    summary.append(_header(summary, [label for label, _ in TOTAL_COLUMNS]))
    for group in sheet.groups:
        summary.append([_text(summary, group.agency_name)] + [group.totals.get(key, 0) for _, key in TOTAL_COLUMNS[1:]])
    summary.append([_text(summary, "Jumlah")] + [sheet.totals.get(key, 0) for _, key in TOTAL_COLUMNS[1:]])
    taken: set[str] = set()
    for group in sheet.groups:
        page = book.create_sheet(sheet_name(group.agency_name, taken))
        # The column names stay on row 1 of an agency's sheet, so it filters and imports as a table.
        page.append(_header(page, ROW_HEADERS))
        for number, row in enumerate(group.rows, start=1):
            page.append(_row(page, number, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
