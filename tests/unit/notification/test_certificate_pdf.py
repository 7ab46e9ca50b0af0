"""The certificate PDF: what it says in both languages, its size, and a QR code that scans to its verification page."""

from __future__ import annotations

import datetime as dt
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.notification.content.certificate_pdf import format_day, render_certificate
from tests.pdf_reading import pdf_text, qr_codes_on_page

CERTIFICATE = {
    "certificate_id": "q8Hx3kPZ0bT1vW9yA2cD4e",
    "number": "012/SERT/DJIKP/2021",
    "full_name": "Ni Luh Putu Ayu Lestari Pangaribuan-Ñoño",
    "nip": "198507122010012003",
    "position": "Pranata Humas Ahli Muda",
    "agency_name": "Dinas Komunikasi dan Informatika Provinsi Bali",
    "meeting_title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
    "meeting_date": "2021-12-01",
    "hours": 8,
    "verify_url": "https://rakor.kominfo.go.id/c/q8Hx3kPZ0bT1vW9yA2cD4e",
}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    "locale, words",
    [
        ("id", ("SERTIFIKAT", "1 Desember 2021", "8 jam pelajaran (JP)", "PESERTA")),
        ("en", ("CERTIFICATE", "1 December 2021", "8 lesson hours", "PARTICIPANT")),
    ],
)
def test_the_certificate_prints_who_what_when_and_its_number(locale, words):
    document = render_certificate(CERTIFICATE, locale)
    [page] = pdf_text(document)
    text = _flat(page)
    for expected in (
        CERTIFICATE["number"],
        CERTIFICATE["full_name"],
        f"NIP {CERTIFICATE['nip']}",
        CERTIFICATE["position"],
        CERTIFICATE["agency_name"],
        CERTIFICATE["meeting_title"],
        *words,
    ):
        assert expected in text, expected
    assert document.startswith(b"%PDF-") and len(document) <= 100 * 1024


def test_the_qr_code_scans_to_the_verification_link():
    assert qr_codes_on_page(render_certificate(CERTIFICATE)) == [CERTIFICATE["verify_url"]]


def test_a_long_title_wraps_and_missing_nip_and_hours_are_left_out():
    title = "Rapat Koordinasi Nasional Kehumasan Pemerintah dalam rangka Penguatan Komunikasi Publik Penanganan Pandemi COVID-19 dan Pemulihan Ekonomi Nasional Tahun 2021"
    document = render_certificate({**CERTIFICATE, "meeting_title": title, "nip": None, "position": None, "hours": None})
    text = _flat(pdf_text(document)[0])
    assert title in text
    assert "NIP" not in text and "jam pelajaran" not in text


def test_the_date_is_written_in_words():
    assert format_day(dt.date(2022, 2, 14), "id") == "14 Februari 2022"
    assert format_day("2022-08-17", "en") == "17 August 2022"


def test_certificates_drawn_by_many_threads_at_once_each_say_their_own_name():
    # The notification worker sends (and so renders) from several threads; ReportLab's fonts are shared.
    # Switching threads every microsecond makes them meet inside ReportLab on every run.
    names = [f"Peserta Serentak {n:02d} Ñoño" for n in range(48)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            documents = list(pool.map(lambda name: render_certificate({**CERTIFICATE, "full_name": name}), names))
    finally:
        sys.setswitchinterval(interval)
    for name, document in zip(names, documents, strict=False):
        assert name in _flat(pdf_text(document)[0])
