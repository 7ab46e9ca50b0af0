"""The daftar hadir: A4 landscape, a letterhead with the meeting, one table per agency (each from a new
page), an empty signature column, and "Halaman 1 dari 3" on every page."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.registration.documents.attendance_sheet import AgencyGroup, AttendanceSheet, arrival_cell
from shared.pdf_fonts import BOLD, REGULAR, rendering

MM = 72 / 25.4
PAGE = landscape(A4)
MARGIN = 12 * MM
HEADERS = ("No", "Nama", "NIP", "Jabatan", "Instansi", "Mode", "Waktu hadir", "Tanda tangan")
# Widths in mm; the signature column is wide enough to sign in.
WIDTHS_MM = (10, 56, 38, 48, 50, 16, 26, 29)
FONT_SIZE = 8.5
# Each cell is wrapped here into lines of plain text: a Paragraph per cell would cost most of the time.
_WRAPPED = {1, 3, 4, 6}


class _NumberedCanvas(canvas.Canvas):
    """Holds each page until the end, then writes "Halaman n dari N" on all of them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(REGULAR, 8)
            self.drawRightString(PAGE[0] - MARGIN, 7 * MM, f"Halaman {number} dari {total}")
            super().showPage()
        super().save()


def _wrap(text: str, column: int) -> str:
    width = WIDTHS_MM[column] * MM - 6
    return "\n".join(simpleSplit(text, REGULAR, FONT_SIZE, width)) if column in _WRAPPED else text


def _table(group: AgencyGroup) -> Table:
    rows = [list(HEADERS)]
    for number, row in enumerate(group.rows, start=1):
        cells = (str(number), row.full_name, row.nip, row.position, row.agency_name, row.mode, arrival_cell(row), "")
        rows.append([_wrap(text, column) for column, text in enumerate(cells)])
    table = Table(rows, colWidths=[w * MM for w in WIDTHS_MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, FONT_SIZE),
                ("FONT", (0, 0), (-1, 0), BOLD, FONT_SIZE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.91, 0.96)),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (0, -1), "RIGHT"),
                # Room to sign: every participant row at least 9 mm high.
                ("TOPPADDING", (0, 1), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
            ]
        )
    )
    return table


def render_attendance_pdf(sheet: AttendanceSheet) -> bytes:
    """The daftar hadir of `sheet` as PDF bytes."""
    with rendering():
        return _draw(sheet)


def _draw(sheet: AttendanceSheet) -> bytes:
    title = ParagraphStyle("title", fontName=BOLD, fontSize=13, leading=16, alignment=1)
    line = ParagraphStyle("line", fontName=REGULAR, fontSize=9.5, leading=12, alignment=1)
    agency = ParagraphStyle("agency", fontName=BOLD, fontSize=10, leading=13)
    note = ParagraphStyle("note", fontName=REGULAR, fontSize=8.5, leading=11, alignment=1)
    story = []
    for index, group in enumerate(sheet.groups):
        if index:
            story.append(PageBreak())
        story += [
            *_letterhead(sheet),
            Paragraph("DAFTAR HADIR", title),
            Paragraph(_escape(sheet.title), title),
            Paragraph(f"{_escape(sheet.date)} — {_escape(sheet.venue)}", line),
            Paragraph(_escape(sheet.online_rule), note),
            Spacer(1, 4 * MM),
            Paragraph(f"Instansi: {_escape(group.agency_name)} (hadir {group.totals['attended']} dari {len(group.rows)})", agency),
            Spacer(1, 2 * MM),
            _table(group),
        ]
    if not story:
        story = [
            *_letterhead(sheet),
            Paragraph("DAFTAR HADIR", title),
            Paragraph(_escape(sheet.title), title),
            Paragraph("Belum ada peserta terkonfirmasi.", line),
        ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=14 * MM,
        title=f"Daftar hadir — {sheet.title}",
        invariant=1,
    )
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _letterhead(sheet: AttendanceSheet) -> list:
    """The organizer's name and unit above the title, ruled off as on the meeting's letters; nothing when none is named."""
    if not sheet.organizer_name:
        return []
    name = ParagraphStyle("organizer", fontName=BOLD, fontSize=11.5, leading=14, alignment=1)
    unit = ParagraphStyle("unit", fontName=REGULAR, fontSize=10, leading=12.5, alignment=1)
    parts = [Paragraph(_escape(sheet.organizer_name.upper()), name)]
    if sheet.organizer_unit:
        parts.append(Paragraph(_escape(sheet.organizer_unit), unit))
    rule = Table([[""]], colWidths=[PAGE[0] - 2 * MARGIN], rowHeights=[2])
    rule.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 1.2, colors.black)]))
    return [*parts, rule, Spacer(1, 3 * MM)]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
