"""Local meeting times: WIB/WITA/WIT labels, Indonesian words; the notification service's copy says the same."""
import datetime as dt

import pytest

from services.notification.domain import local_time as notification_copy
from shared import local_time

NINE_WIB = dt.datetime(2021, 12, 1, 2, 0, tzinfo=dt.timezone.utc)


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


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura", "Asia/Kolkata", "UTC", "America/Sao_Paulo"])
@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("hours", [0, 7, 13, 30 * 24 + 5])
def test_the_notification_services_copy_writes_times_the_same_way(zone, locale, hours):
    # Services may not import each other; until notification imports shared.local_time, its copy must agree.
    moment = NINE_WIB + dt.timedelta(hours=hours)
    end = moment + dt.timedelta(hours=3)
    for name in ("format_datetime", "format_date", "format_clock"):
        assert getattr(local_time, name)(moment, zone, locale) == getattr(notification_copy, name)(moment, zone, locale)
    assert local_time.format_span(moment, end, zone, locale) == notification_copy.format_span(moment, end, zone, locale)
