"""The console's dates and times: the APIs' ISO 8601 strings written as shared.local_time writes them for participants.

shared.local_time is the one rule for words, zones (WIB, WITA, WIT) and spans; what is the console's
own here is reading the APIs' strings, the short form of its tables, and its form fields.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared import local_time
from shared.local_time import MONTHS


def parse_instant(value: str | datetime) -> datetime:
    """An ISO 8601 instant from the APIs (with offset or Z) as an aware datetime."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def in_zone(value: str | datetime, timezone: str) -> datetime:
    return parse_instant(value).astimezone(ZoneInfo(timezone))


def format_date(value: str | datetime, timezone: str, locale: str = "id") -> str:
    """'Senin, 1 Desember 2031' / 'Monday, 1 December 2031' in the meeting's zone."""
    return local_time.format_date(parse_instant(value), timezone, locale)


def format_time(value: str | datetime, timezone: str, locale: str = "id") -> str:
    """'09.00 WIB' (Indonesian writes a dot) / '09:00 WIB'."""
    return local_time.format_clock(parse_instant(value), timezone, locale)


def format_span(starts_at: str | datetime, ends_at: str | datetime, timezone: str, locale: str = "id") -> str:
    """'Senin, 1 Desember 2031, 09.00–12.00 WIB'; over two days both ends in full."""
    return local_time.format_span(parse_instant(starts_at), parse_instant(ends_at), timezone, locale)


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
