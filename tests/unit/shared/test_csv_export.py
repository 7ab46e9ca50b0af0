"""CSV files that a spreadsheet opens as text: BOM, neutralized formulas."""

import csv
import io

import pytest

from shared.csv_export import csv_document, neutralize_cell


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://evil.example","klik")', '\'=HYPERLINK("http://evil.example","klik")'),
        ("+62812", "'+62812"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("Rina Wulandari", "Rina Wulandari"),
        ("Kepala Bagian - Humas", "Kepala Bagian - Humas"),
        ("", ""),
        (-5, -5),
        (None, None),
        (True, True),
    ],
)
def test_only_text_that_starts_like_a_formula_is_prefixed(value, expected):
    assert neutralize_cell(value) == expected


def test_the_document_is_utf8_with_a_bom_and_reads_back():
    rows = [
        {"full_name": "Zoë Ñ =1+1", "agency_name": "=cmd|' /C calc'!A0", "extra": "dropped"},
        {"full_name": "Budi", "agency_name": None},
    ]
    data = csv_document(["full_name", "agency_name"], rows)
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert read == [{"full_name": "Zoë Ñ =1+1", "agency_name": "'=cmd|' /C calc'!A0"}, {"full_name": "Budi", "agency_name": ""}]
