"""Local meeting times: WIB/WITA/WIT labels and Indonesian words, as every service writes them."""

import datetime as dt

import pytest

from shared import local_time

NINE_WIB = dt.datetime(2021, 12, 1, 2, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "zone, locale, expected",
    [
        ("Asia/Jakarta", "id", "Rabu, 1 Desember 2021, 09.00 WIB"),
        ("Asia/Makassar", "id", "Rabu, 1 Desember 2021, 10.00 WITA"),
        ("Asia/Jayapura", "en", "Wednesday, 1 December 2021, 11:00 WIT"),
        ("Europe/Amsterdam", "en", "Wednesday, 1 December 2021, 03:00 CET"),
    ],
)
def test_times_are_written_in_the_meetings_zone_and_the_readers_language(zone, locale, expected):
    assert local_time.format_datetime(NINE_WIB, zone, locale) == expected
