"""Newest event wins: a registration event older than the state already seen for that registration changes and sends nothing."""
from __future__ import annotations

import datetime as dt


def is_stale(occurred_at: dt.datetime, seen_at: dt.datetime | None, *, sequence: int | None = None, seen_sequence: int | None = None) -> bool:
    """True when an event is older than the newest one seen: by `occurred_at`, ties broken by a sequence when both have one.

    The same event delivered again (same time, same or no sequence) is not stale: its sends may still be owed.
    """
    if seen_at is None:
        return False
    if occurred_at != seen_at:
        return occurred_at < seen_at
    return sequence is not None and seen_sequence is not None and sequence < seen_sequence
