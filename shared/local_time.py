"""Meeting times as participants read them: in the meeting's own timezone, with Indonesian day and month words.

The streaming service's "not yet" page and the notification service's messages write times alike:
both import this one module.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
}
# Indonesia's three legal time zones; every IANA zone of the country maps to one of them.
INDONESIAN_ZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_label(timezone: str, moment: dt.datetime) -> str:
    """WIB/WITA/WIT for Indonesian zones, else the zone's abbreviation or its UTC offset."""
    if timezone in INDONESIAN_ZONES:
        return INDONESIAN_ZONES[timezone]
    local = moment.astimezone(ZoneInfo(timezone))
    abbreviation = local.tzname() or ""
    if abbreviation and not abbreviation.startswith(("+", "-")):
        return abbreviation
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _local(moment: dt.datetime, timezone: str) -> dt.datetime:
    return moment.astimezone(ZoneInfo(timezone))


def format_date(moment: dt.datetime, timezone: str, locale: str = "id") -> str:
    """'Rabu, 1 Desember 2021' (id) or 'Wednesday, 1 December 2021' (en), in the meeting's zone."""
    local = _local(moment, timezone)
    words = locale if locale in DAYS else "id"
    return f"{DAYS[words][local.weekday()]}, {local.day} {MONTHS[words][local.month - 1]} {local.year}"


def format_clock(moment: dt.datetime, timezone: str, locale: str = "id") -> str:
    """'09.00 WIB' (Indonesian writes hours with a dot) or '09:00 WIB'."""
    local = _local(moment, timezone)
    separator = "." if locale != "en" else ":"
    return f"{local.hour:02d}{separator}{local.minute:02d} {zone_label(timezone, moment)}"


def format_datetime(moment: dt.datetime, timezone: str, locale: str = "id") -> str:
    """'Rabu, 1 Desember 2021, 09.00 WIB'."""
    return f"{format_date(moment, timezone, locale)}, {format_clock(moment, timezone, locale)}"


def format_span(starts_at: dt.datetime, ends_at: dt.datetime, timezone: str, locale: str = "id") -> str:
    """'Rabu, 1 Desember 2021, 09.00–12.00 WIB' on one day, else both ends in full."""
    start, end = _local(starts_at, timezone), _local(ends_at, timezone)
    if start.date() == end.date():
        separator = "." if locale != "en" else ":"
        until = f"{end.hour:02d}{separator}{end.minute:02d}"
        clock = format_clock(starts_at, timezone, locale)
        hours, label = clock.split(" ", 1)
        return f"{format_date(starts_at, timezone, locale)}, {hours}–{until} {label}"
    joiner = " s.d. " if locale != "en" else " to "
    return format_datetime(starts_at, timezone, locale) + joiner + format_datetime(ends_at, timezone, locale)
