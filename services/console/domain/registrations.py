"""The registrants table: filter by agency, status and mode, search by name, NIP or email, and page."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    """What the organizer chose above the table; empty strings mean 'all'."""

    agency_id: str = ""
    status: str = ""
    mode: str = ""
    query: str = ""

    @property
    def active(self) -> bool:
        return bool(self.agency_id or self.status or self.mode or self.query.strip())


@dataclass(frozen=True)
class Page:
    """One page of rows and where it sits among all of them."""

    rows: list[dict]
    number: int
    pages: int
    total: int
    first_index: int  # the running number (No) of the first row on this page

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def _matches(registration: dict, needle: str) -> bool:
    participant = registration.get("participant") or {}
    haystack = (participant.get("full_name"), participant.get("email"), participant.get("nip"), registration.get("check_in_code"))
    digits = needle.replace(" ", "")
    return any(needle in value.casefold() or (digits.isdigit() and digits in value) for value in haystack if value)


def filter_registrations(registrations: Sequence[dict], filters: Filters) -> list[dict]:
    """The registrations that match every chosen filter; the search ignores case and spaces in a NIP."""
    needle = filters.query.strip().casefold()
    return [
        r
        for r in registrations
        if (not filters.agency_id or r.get("agency_id") == filters.agency_id)
        and (not filters.status or r.get("status") == filters.status)
        and (not filters.mode or r.get("attendance_mode") == filters.mode)
        and (not needle or _matches(r, needle))
    ]


def paginate(rows: Sequence[dict], number: int, per_page: int = PER_PAGE) -> Page:
    """Page `number` (1-based, clamped to the pages that exist) of `rows`."""
    pages = max(1, math.ceil(len(rows) / per_page))
    number = min(max(number, 1), pages)
    start = (number - 1) * per_page
    return Page(list(rows[start : start + per_page]), number, pages, len(rows), start + 1)


def active_participants(registrations: Sequence[dict]) -> int:
    """Who a change of time or venue reaches: every registration not cancelled (confirmed and waitlisted)."""
    return sum(1 for r in registrations if r.get("status") != "cancelled")
