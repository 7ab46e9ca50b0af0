"""Check-in codes and the attendance summary."""

import datetime as dt

from services.registration.domain.attendance import AttendanceRow, summarize
from services.registration.domain.codes import ALPHABET, LENGTH, new_check_in_code, normalize_code


def test_codes_use_the_unambiguous_alphabet_and_do_not_repeat():
    codes = {new_check_in_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("01OIL") & set(ALPHABET)


def test_codes_typed_loosely_are_normalized():
    assert normalize_code(" k7qx-mp3a ") == "K7QXMP3A"


def row(agency, status="confirmed", mode="in_person", checked=False, joined=False):
    at = dt.datetime(2021, 12, 1, 9, tzinfo=dt.UTC)
    return AttendanceRow(
        registration_id=f"{agency}-{status}-{mode}",
        agency_id=agency,
        agency_name=agency.title(),
        full_name="X",
        email="x@y.id",
        nip=None,
        position=None,
        attendance_mode=mode,
        status=status,
        checked_in_at=at if checked else None,
        online_joined_at=at if joined else None,
        online_join_count=int(joined),
    )


def test_summary_merges_check_ins_and_online_joins_per_agency():
    totals, agencies = summarize(
        [
            row("kominfo", checked=True),
            row("kominfo", mode="online", joined=True),
            row("jabar", status="waitlisted"),
        ]
    )
    assert totals["attended"] == 2 and totals["checked_in"] == 1 and totals["joined_online"] == 1 and totals["waitlisted"] == 1
    assert [a["agency_id"] for a in agencies] == ["jabar", "kominfo"]
    assert agencies[1]["attended"] == 2 and agencies[0]["attended"] == 0
