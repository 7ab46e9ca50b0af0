"""Times are written in the meeting's zone with WIB, WITA or WIT, in Indonesian or English."""

from __future__ import annotations

import pytest

from services.console.domain.timefmt import format_date, format_moment, format_span, format_time, instant_from_local, local_input_value


def test_a_jakarta_meeting_reads_in_wib_with_indonesian_day_and_month():
    assert format_date("2031-12-01T02:00:00Z", "Asia/Jakarta") == "Senin, 1 Desember 2031"
    assert format_time("2031-12-01T02:00:00Z", "Asia/Jakarta") == "09.00 WIB"


@pytest.mark.parametrize(
    ("zone", "expected"), [("Asia/Jakarta", "09.00 WIB"), ("Asia/Makassar", "10.00 WITA"), ("Asia/Jayapura", "11.00 WIT")]
)
def test_the_same_instant_in_each_indonesian_zone(zone, expected):
    assert format_time("2031-12-01T09:00:00+07:00", zone) == expected


def test_english_uses_a_colon_and_english_names():
    assert (
        format_span("2031-12-01T09:00:00+07:00", "2031-12-01T12:00:00+07:00", "Asia/Jakarta", "en")
        == "Monday, 1 December 2031, 09:00–12:00 WIB"
    )


def test_a_span_over_two_days_writes_both_dates():
    span = format_span("2031-12-01T09:00:00+07:00", "2031-12-02T12:00:00+07:00", "Asia/Makassar")
    # As the participants' mail writes it (shared.local_time): both ends in full.
    assert span == "Senin, 1 Desember 2031, 10.00 WITA s.d. Selasa, 2 Desember 2031, 13.00 WITA"


def test_a_zone_outside_indonesia_shows_its_abbreviation_or_else_its_offset():
    assert format_time("2031-12-01T09:00:00+07:00", "Asia/Tokyo") == "11.00 JST"
    assert format_time("2031-12-01T09:00:00+07:00", "Asia/Dubai") == "06.00 UTC+04:00"


def test_table_moments_are_short_and_empty_for_none():
    assert format_moment("2031-12-01T01:42:00Z", "Asia/Jakarta") == "1 Des 2031 08.42 WIB"
    assert format_moment(None, "Asia/Jakarta") == ""


def test_form_values_round_trip_through_the_meeting_zone():
    assert local_input_value("2031-12-01T02:00:00Z", "Asia/Jayapura") == "2031-12-01T11:00"
    assert instant_from_local("2031-12-01T11:00", "Asia/Jayapura") == "2031-12-01T11:00:00+09:00"
    with pytest.raises(ValueError):
        instant_from_local("besok pagi", "Asia/Jakarta")
