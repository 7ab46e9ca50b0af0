"""Where a personal join link leads at the moment it is opened."""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class JoinOutcome(enum.Enum):
    REDIRECT = "redirect"
    REVOKED = "revoked"
    OVER = "over"
    NO_CHANNEL = "no_channel"


@dataclass(frozen=True)
class JoinDecision:
    outcome: JoinOutcome
    url: str | None = None  # the redirect target, or the recording link on the "over" page
    channel_kind: str | None = None


def decide_join(
    *,
    revoked: bool,
    ends_at: dt.datetime | None,
    zoom_url: str | None,
    youtube_url: str | None,
    now: dt.datetime,
) -> JoinDecision:
    """Zoom while the meeting runs (YouTube when there is no Zoom); after the end, the YouTube recording.

    Only stored channel URLs are ever returned, so a link can never redirect anywhere else.
    """
    if revoked:
        return JoinDecision(JoinOutcome.REVOKED)
    if ends_at is not None and now > ends_at:
        return JoinDecision(JoinOutcome.OVER, youtube_url, "youtube" if youtube_url else None)
    if zoom_url:
        return JoinDecision(JoinOutcome.REDIRECT, zoom_url, "zoom")
    if youtube_url:
        return JoinDecision(JoinOutcome.REDIRECT, youtube_url, "youtube")
    return JoinDecision(JoinOutcome.NO_CHANNEL)
