"""Where a personal link leads: Zoom first, YouTube otherwise, the recording after the end, nothing if revoked."""
from __future__ import annotations

import datetime as dt

from services.streaming.domain.join_target import JoinOutcome, decide_join
from services.streaming.domain.meetings import is_valid_event_id

NOW = dt.datetime(2021, 12, 1, 3, 0, tzinfo=dt.timezone.utc)
END = dt.datetime(2021, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
ZOOM, YOUTUBE = "https://us02web.zoom.us/j/81234567890", "https://www.youtube.com/watch?v=x"


def test_a_running_meeting_leads_to_zoom():
    decision = decide_join(revoked=False, ends_at=END, zoom_url=ZOOM, youtube_url=YOUTUBE, now=NOW)
    assert (decision.outcome, decision.url, decision.channel_kind) == (JoinOutcome.REDIRECT, ZOOM, "zoom")


def test_without_zoom_the_link_leads_to_youtube():
    decision = decide_join(revoked=False, ends_at=END, zoom_url=None, youtube_url=YOUTUBE, now=NOW)
    assert (decision.outcome, decision.url, decision.channel_kind) == (JoinOutcome.REDIRECT, YOUTUBE, "youtube")


def test_a_revoked_link_leads_nowhere_even_after_the_end():
    later = END + dt.timedelta(days=1)
    assert decide_join(revoked=True, ends_at=END, zoom_url=ZOOM, youtube_url=YOUTUBE, now=later).outcome is JoinOutcome.REVOKED


def test_after_the_end_the_link_offers_the_youtube_recording():
    decision = decide_join(revoked=False, ends_at=END, zoom_url=ZOOM, youtube_url=YOUTUBE, now=END + dt.timedelta(seconds=1))
    assert (decision.outcome, decision.url) == (JoinOutcome.OVER, YOUTUBE)


def test_after_the_end_without_youtube_there_is_no_link_to_offer():
    decision = decide_join(revoked=False, ends_at=END, zoom_url=ZOOM, youtube_url=None, now=END + dt.timedelta(hours=1))
    assert (decision.outcome, decision.url) == (JoinOutcome.OVER, None)


def test_a_meeting_with_unknown_end_is_never_over():
    assert decide_join(revoked=False, ends_at=None, zoom_url=ZOOM, youtube_url=None, now=NOW).outcome is JoinOutcome.REDIRECT


def test_no_channel_means_nothing_to_redirect_to():
    assert decide_join(revoked=False, ends_at=END, zoom_url=None, youtube_url=None, now=NOW).outcome is JoinOutcome.NO_CHANNEL


def test_event_ids_are_short_and_plain():
    assert is_valid_event_id("6f1c2a8e-1b2c-4d5e-9f00-123456789abc")
    assert not is_valid_event_id("x" * 65)
    assert not is_valid_event_id("../etc")
    assert not is_valid_event_id("")
