"""The attendance list as a PDF daftar hadir and an XLSX workbook, read back with pypdf and openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from services.registration.documents.attendance_pdf import render_attendance_pdf
from services.registration.documents.attendance_sheet import build_sheet
from services.registration.documents.attendance_xlsx import SUMMARY, render_attendance_xlsx, sheet_name
from tests.pdf_reading import pdf_text

UTC = dt.UTC
MEETING = {
    "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
    "timezone": "Asia/Makassar",
    "starts_at": dt.datetime(2021, 12, 1, 1, 0, tzinfo=UTC),
    "venue_name": "Hotel Aviary Bintaro",
    "venue_address": "Jl. Boulevard Bintaro Jaya Blok B7/A1",
    "venue_city": "Tangerang Selatan",
}
AGENCIES = [
    ("a-bali", "Diskominfo Provinsi Bali", 7),
    ("a-jabar", "Dinas Kominfo Provinsi Jawa Barat", 30),
    ("a-sulsel", "Biro Humas Provinsi Sulawesi Selatan", 2),
]


def _participants():
    people, n = [], 0
    for agency_id, agency_name, count in AGENCIES:
        for i in range(count):
            n += 1
            online = i % 3 == 0
            people.append(
                {
                    "agency_id": agency_id,
                    "agency_name": agency_name,
                    "full_name": f"Peserta {agency_name.split()[-1]} {i:02d}",
                    "nip": f"1985071220100{n:05d}",
                    "position": "Pranata Humas Ahli Muda",
                    "status": "confirmed",
                    "attendance_mode": "online" if online else "in_person",
                    "checked_in_at": None if online or i % 2 else dt.datetime(2021, 12, 1, 0, 55, tzinfo=UTC),
                    "first_join_at": dt.datetime(2021, 12, 1, 1, 2, tzinfo=UTC) if online else None,
                    "online_minutes": 95 if online else None,
                    "attended": online or not i % 2,
                }
            )
    people.append({**people[0], "full_name": "Batal Sekali", "nip": "199001012015011999", "status": "cancelled"})
    people.append({**people[0], "full_name": "Masih Menunggu", "nip": "199001012015011998", "status": "waitlisted"})
    return people


def _sheet():
    people = _participants()
    confirmed = [p for p in people if p["status"] == "confirmed"]
    agencies = [
        {
            "agency_id": a,
            "agency_name": name,
            "registered": sum(p["agency_id"] == a for p in people),
            "confirmed": sum(p["agency_id"] == a for p in confirmed),
            "attended": sum(p["agency_id"] == a and p["attended"] for p in confirmed),
        }
        for a, name, _ in AGENCIES
    ]
    totals = {"registered": len(people), "confirmed": len(confirmed), "attended": sum(p["attended"] for p in confirmed)}
    return build_sheet(MEETING, people, agencies, totals), confirmed


def test_the_sheet_lists_only_confirmed_people_by_agency_with_times_in_the_meetings_zone():
    sheet, confirmed = _sheet()
    assert [g.agency_name for g in sheet.groups] == [name for _, name, _ in AGENCIES]
    assert sum(len(g.rows) for g in sheet.groups) == len(confirmed)
    assert sheet.date == "Rabu, 1 Desember 2021"
    [first] = [r for r in sheet.groups[0].rows if r.full_name.endswith(" 00")]
    assert first.mode == "Daring" and first.arrived == "09.02"  # 01:02 UTC in Makassar (WITA)
    [door] = [r for r in sheet.groups[0].rows if r.full_name.endswith(" 02")]
    assert door.mode == "Luring" and door.arrived == "08.55"


def test_the_daftar_hadir_has_every_nip_once_a_signature_column_and_page_numbers():
    sheet, confirmed = _sheet()
    pages = pdf_text(render_attendance_pdf(sheet))
    text = "\n".join(pages)
    for person in confirmed:
        assert text.count(person["nip"]) == 1, person["nip"]
    assert "199001012015011999" not in text and "199001012015011998" not in text
    total = len(pages)
    assert total >= 4  # three agencies, each from a new page, and the 30 of Jawa Barat need more than one
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {total}" in page
        assert "Tanda tangan" in page and "Waktu hadir" in page  # the header row repeats on every page
    # Each agency starts on its own page: no page holds two agencies' headings.
    for page in pages:
        assert len(re.findall(r"Instansi: ", page)) <= 1
    assert "DAFTAR HADIR" in pages[0] and MEETING["title"] in pages[0] and "Hotel Aviary Bintaro" in pages[0]


def test_the_workbook_has_a_summary_with_each_agencys_totals_and_a_sheet_per_agency():
    sheet, confirmed = _sheet()
    book = openpyxl.load_workbook(io.BytesIO(render_attendance_xlsx(sheet)))
    assert book.sheetnames == [SUMMARY] + [name[:31] for _, name, _ in AGENCIES]  # Excel's 31-character limit
    summary = list(book[SUMMARY].iter_rows(values_only=True))
    top = next(i for i, row in enumerate(summary) if row[0] == "Instansi")  # under the heading lines
    by_agency = {row[0]: dict(zip(summary[top], row, strict=False)) for row in summary[top + 1 :]}
    for agency_id, name, _ in AGENCIES:
        mine = [p for p in confirmed if p["agency_id"] == agency_id]
        assert by_agency[name]["Terkonfirmasi"] == len(mine) and by_agency[name]["Hadir"] == sum(p["attended"] for p in mine)
    assert by_agency["Jumlah"]["Hadir"] == sum(p["attended"] for p in confirmed)
    jabar = book["Dinas Kominfo Provinsi Jawa Bar"]
    assert jabar.max_row == 1 + 30 and [c.value for c in jabar[1]][:3] == ["No", "Nama", "NIP"]


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook():
    people = [{**p, "full_name": '=HYPERLINK("http://evil.example","klik")'} if i == 0 else p for i, p in enumerate(_participants())]
    sheet = build_sheet(MEETING, people, [{"agency_id": "a-bali", "agency_name": "Diskominfo Provinsi Bali"}], {})
    book = openpyxl.load_workbook(io.BytesIO(render_attendance_xlsx(sheet)))
    cells = [c for row in book["Diskominfo Provinsi Bali"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize(
    "name, taken, expected",
    [
        ("Biro Humas [Pusat]: Jakarta/Bogor", set(), "Biro Humas Pusat Jakarta Bogor"),
        ("Dinas Kominfo Provinsi Jawa Barat Bidang IKP", {"dinas kominfo provinsi jawa bar"}, "Dinas Kominfo Provinsi Jawa (2)"),
        ("Ringkasan", set(), "Ringkasan (2)"),
    ],
)
def test_sheet_names_are_valid_and_unique(name, taken, expected):
    assert sheet_name(name, set(taken)) == expected
