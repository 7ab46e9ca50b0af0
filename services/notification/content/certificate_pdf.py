"""The certificate of attendance as a one-page A4 landscape PDF, with its verification QR code.

Pure: data in, bytes out. ReportLab rather than fpdf2: fpdf2 parses and subsets the TrueType font
again with fontTools for every document (a few certificates per second), ReportLab reads it once per
process and subsets it itself (hundreds per second per core; BENCHMARKS.md). The font: shared.pdf_fonts.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import qrcode
from PIL import Image
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas

from shared.local_time import MONTHS
from shared.pdf_fonts import BOLD, REGULAR, rendering

PAGE = landscape(A4)
MM = 72 / 25.4
BLUE = (30 / 255, 64 / 255, 120 / 255)

_TEXTS = {
    "id": {
        "title": "SERTIFIKAT",
        "number": "Nomor",
        "given_to": "diberikan kepada",
        "as": "sebagai PESERTA dalam kegiatan",
        "on": "yang diselenggarakan pada {date}",
        "hours": "{hours} jam pelajaran (JP)",
        "verify": "Pindai kode QR untuk memeriksa keaslian sertifikat ini",
    },
    "en": {
        "title": "CERTIFICATE",
        "number": "Number",
        "given_to": "is awarded to",
        "as": "as a PARTICIPANT of",
        "on": "held on {date}",
        "hours": "{hours} lesson hours",
        "verify": "Scan the QR code to check that this certificate is genuine",
    },
}


def qr_image(data: str) -> Image.Image:
    """The QR code with one pixel per module; the PDF scales it up without smoothing, so it stays sharp."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.new("1", (len(matrix), len(matrix)), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    return image


def format_day(value: Any, locale: str) -> str:
    """'1 Desember 2021' / '1 December 2021' from a date or its ISO text."""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return f"{day.day} {MONTHS[locale][day.month - 1]} {day.year}"


def _centred(pdf: canvas.Canvas, text: str, font: str, size: float, y: float, width: float, leading: float | None = None) -> float:
    """Draw `text` centred, wrapped to `width`; return the baseline below the last line."""
    pdf.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        pdf.drawCentredString(PAGE[0] / 2, y, line)
        y -= leading or size * 1.25
    return y


def render_certificate(certificate: dict[str, Any], locale: str = "id") -> bytes:
    """One certificate: number, name, NIP, position, agency, meeting, date, hours and the verification QR.

    `certificate` holds number, full_name, nip, position, agency_name, meeting_title, meeting_date
    (a date or ISO text), hours (or None) and verify_url.
    """
    locale = "en" if locale == "en" else "id"
    with rendering():
        return _draw(certificate, locale, _TEXTS[locale])


def _draw(certificate: dict[str, Any], locale: str, texts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=PAGE, pageCompression=1, invariant=1)
    pdf.setTitle(f"{texts['title'].title()} {certificate['number']}")
    width, height = PAGE
    text_width = width - 60 * MM

    pdf.setStrokeColorRGB(*BLUE)
    pdf.setLineWidth(1.2 * MM)
    pdf.rect(10 * MM, 10 * MM, width - 20 * MM, height - 20 * MM)
    pdf.setLineWidth(0.3 * MM)
    pdf.rect(13 * MM, 13 * MM, width - 26 * MM, height - 26 * MM)

    pdf.setFillColorRGB(*BLUE)
    y = _centred(pdf, texts["title"], BOLD, 34, height - 42 * MM, text_width)
    pdf.setFillColorRGB(0, 0, 0)
    y = _centred(pdf, f"{texts['number']}: {certificate['number']}", REGULAR, 12, y - 2, text_width)
    y = _centred(pdf, texts["given_to"], REGULAR, 13, y - 18, text_width)
    y = _centred(pdf, certificate["full_name"], BOLD, 26, y - 12, text_width)
    details = [f"NIP {certificate['nip']}" if certificate.get("nip") else None, certificate.get("position"), certificate.get("agency_name")]
    for detail in filter(None, details):
        y = _centred(pdf, detail, REGULAR, 13, y - 2, text_width)
    y = _centred(pdf, texts["as"], REGULAR, 13, y - 14, text_width)
    y = _centred(pdf, certificate["meeting_title"], BOLD, 16, y - 4, text_width)
    when = texts["on"].format(date=format_day(certificate["meeting_date"], locale))
    if certificate.get("hours"):
        when += f" ({texts['hours'].format(hours=certificate['hours'])})"
    _centred(pdf, when, REGULAR, 13, y - 4, text_width)

    qr_size = 34 * MM
    qr_x, qr_y = width - 20 * MM - qr_size, 22 * MM
    pdf.drawImage(ImageReader(qr_image(certificate["verify_url"])), qr_x, qr_y, qr_size, qr_size)
    pdf.setFont(REGULAR, 8)
    pdf.setFillColorRGB(0.3, 0.3, 0.3)
    pdf.drawRightString(qr_x + qr_size, qr_y - 4 * MM, texts["verify"])
    pdf.drawString(20 * MM, qr_y - 4 * MM, certificate["verify_url"])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
