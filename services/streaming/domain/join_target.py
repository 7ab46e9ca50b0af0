"""Where a personal join link leads at the moment it is opened, and whether that visit is a join."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class JoinOutcome(enum.Enum):
    REDIRECT = "redirect"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    EARLY = "early"
    OVER = "over"
    NO_CHANNEL = "no_channel"


@dataclass(frozen=True)
class JoinDecision:
    outcome: JoinOutcome
    url: str | None = None  # the redirect target, or the recording link on the "over" page
    channel_kind: str | None = None
    opens_at: dt.datetime | None = None  # on the "not yet" page: from when the link leads to the meeting


def decide_join(
    *,
    revoked: bool,
    cancelled: bool,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    zoom_url: str | None,
    youtube_url: str | None,
    now: dt.datetime,
    opens_before: dt.timedelta,
) -> JoinDecision:
    """Zoom from `opens_before` the start until the end (YouTube when there is no Zoom); after the end the recording.

    Only a REDIRECT is a join. A link opened before its window shows when the meeting starts; one of a
    meeting called off is dead like a revoked one. Unknown times (no event.created yet) do not close
    the window. Only stored channel URLs are ever returned, so a link can never redirect anywhere else.
    join_path.RECORD_VISIT repeats the recording part of this rule in SQL; see there.
    """
    if revoked:
        return JoinDecision(JoinOutcome.REVOKED)
    if cancelled:
        return JoinDecision(JoinOutcome.CANCELLED)
    if ends_at is not None and now > ends_at:
        return JoinDecision(JoinOutcome.OVER, youtube_url, "youtube" if youtube_url else None)
    if starts_at is not None and now < starts_at - opens_before:
        return JoinDecision(JoinOutcome.EARLY, opens_at=starts_at - opens_before)
    if zoom_url:
        return JoinDecision(JoinOutcome.REDIRECT, zoom_url, "zoom")
    if youtube_url:
        return JoinDecision(JoinOutcome.REDIRECT, youtube_url, "youtube")
    return JoinDecision(JoinOutcome.NO_CHANNEL)
