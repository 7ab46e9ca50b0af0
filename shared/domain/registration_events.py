"""How a consumer reads registration events: the status an event says, and newest event wins.

Notification and streaming both keep a copy of each registration from these events; the same rules
keep the two copies in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

CANCELLED_EVENT = "registration.cancelled"


def registration_status(event_type: str, data: dict[str, Any]) -> str:
    """The registration's status after `event_type`: registration.cancelled says it by its type, the others in data["status"]."""
    return "cancelled" if event_type == CANCELLED_EVENT else data["status"]


def is_stale(
    occurred_at: dt.datetime, seen_at: dt.datetime | None, *, sequence: int | None = None, seen_sequence: int | None = None
) -> bool:
    """Newest event wins: True when an event is older than the newest one seen, by `occurred_at`, ties broken by a sequence when both have one.

    A late, older event (a confirmation arriving after the cancellation) must neither undo the newer
    state nor send anything. The same event delivered again (same time, same or no sequence) is not
    stale: its sends may still be owed.
    """
    if seen_at is None:
        return False
    if occurred_at != seen_at:
        return occurred_at < seen_at
    return sequence is not None and seen_sequence is not None and sequence < seen_sequence
