"""Dates and times as people in Indonesia read them: in the meeting's zone, with WIB, WITA or WIT."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# The three zones of Indonesia by their IANA names (the old aliases included).
ZONE_NAMES = {
    "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA", "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}
DAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
}


def zone_label(timezone: str, moment: datetime) -> str:
    """WIB/WITA/WIT for Indonesia's zones, else the UTC offset (UTC+09:00)."""
    if timezone in ZONE_NAMES:
        return ZONE_NAMES[timezone]
    offset = moment.utcoffset()
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_instant(value: str | datetime) -> datetime:
    """An ISO 8601 instant from the APIs (with offset or Z) as an aware datetime."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def in_zone(value: str | datetime, timezone: str) -> datetime:
    return parse_instant(value).astimezone(ZoneInfo(timezone))


def format_date(value: str | datetime, timezone: str, locale: str = "id") -> str:
    """'Senin, 1 Desember 2031' / 'Monday, 1 December 2031' in the meeting's zone."""
    local = in_zone(value, timezone)
    lang = locale if locale in DAYS else "id"
    return f"{DAYS[lang][local.weekday()]}, {local.day} {MONTHS[lang][local.month - 1]} {local.year}"


def format_time(value: str | datetime, timezone: str, locale: str = "id") -> str:
    """'09.00 WIB' (Indonesian writes a dot) / '09:00 WIB'."""
    local = in_zone(value, timezone)
    separator = "." if locale != "en" else ":"
    return f"{local.hour:02d}{separator}{local.minute:02d} {zone_label(timezone, local)}"


def format_span(starts_at: str, ends_at: str, timezone: str, locale: str = "id") -> str:
    """'Senin, 1 Desember 2031, 09.00–12.00 WIB'; the end's date is written when it differs."""
    start, end = in_zone(starts_at, timezone), in_zone(ends_at, timezone)
    start_time = format_time(start, timezone, locale).rsplit(" ", 1)[0]
    if start.date() == end.date():
        return f"{format_date(start, timezone, locale)}, {start_time}–{format_time(end, timezone, locale)}"
    return f"{format_date(start, timezone, locale)}, {start_time} – {format_date(end, timezone, locale)}, {format_time(end, timezone, locale)}"


def format_moment(value: str | datetime | None, timezone: str, locale: str = "id") -> str:
    """'1 Des 2031 08.42 WIB'-like short form for tables; '' for None."""
    if not value:
        return ""
    local = in_zone(value, timezone)
    lang = locale if locale in MONTHS else "id"
    return f"{local.day} {MONTHS[lang][local.month - 1][:3]} {local.year} {format_time(local, timezone, locale)}"


def local_input_value(value: str | None, timezone: str) -> str:
    """The value of an <input type=datetime-local> for an instant, in the meeting's zone."""
    if not value:
        return ""
    return in_zone(value, timezone).strftime("%Y-%m-%dT%H:%M")


def instant_from_local(value: str, timezone: str) -> str:
    """An ISO 8601 instant with offset from a datetime-local value read in the meeting's zone; ValueError if malformed."""
    naive = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M")
    return naive.replace(tzinfo=ZoneInfo(timezone)).isoformat()
