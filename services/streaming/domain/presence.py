"""Minutes of online presence: the union of a person's stays in the meeting, overlaps counted once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from shared.schemas.events import MAX_PRESENCE_MINUTES

Interval = tuple[dt.datetime, dt.datetime]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching stays merged into one (two devices at once, or a rejoin in the same second)."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def present_minutes(intervals: Iterable[Interval]) -> int:
    """Whole minutes present, overlaps counted once.

    Rounded down: a threshold such as "at least 60 minutes" means sixty full minutes were spent in the
    meeting. (Zoom's own Duration column rounds each row up, so two short rejoins would count double.)
    Capped at MAX_PRESENCE_MINUTES: a file of stays spread over years is no meeting, but must not
    make an event the bus refuses.
    """
    seconds = sum((end - start).total_seconds() for start, end in merge_intervals(intervals))
    return min(int(seconds // 60), MAX_PRESENCE_MINUTES)
