"""Rows sent under a lease (a reminder, an agency digest): armed, then sending while a worker holds the claim, then closed.

Pure: what a pass leaves behind, and the loop that sends the due rows one after another, with the
taking and the sending passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

ARMED, SENDING, SENT = "armed", "sending", "sent"

# How many passes a row gets for its transient failures before they are left `dead` for the operator.
PASSES = 3
# A pass that left transient failures hands the row back; it is claimed again after this long.
RETRY_AFTER = dt.timedelta(seconds=30)

Claimed = TypeVar("Claimed")


@dataclass(frozen=True)
class Declined:
    """A claimable row that is not to be sent after all: it is closed with `status` instead."""

    status: str


def retries_left(passes: int) -> bool:
    """Whether a pass numbered `passes` may still leave transient failures for a later one."""
    return passes < PASSES


def status_after_pass(unsettled: bool, retries_left: bool) -> str:
    """Messages still unsettled with a pass to spare keep the row claimed for a retry; otherwise it is done."""
    return SENDING if unsettled and retries_left else SENT


def send_one_by_one(
    take: Callable[[], Claimed | None],
    send: Callable[[Claimed], str],
    report: Callable[[Claimed, str], None],
    should_stop: Callable[[], bool],
) -> int:
    """Take and send rows until none is claimable or a stop is asked for; returns how many were taken.

    One at a time, so that a stop lands between two rows and each row is sent by the worker holding its lease.
    """
    taken = 0
    while not should_stop() and (claimed := take()) is not None:
        taken += 1
        report(claimed, send(claimed))
    return taken
