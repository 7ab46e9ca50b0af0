"""Where a personal link leads: Zoom first, YouTube otherwise, only within its window; the recording after the end."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from services.streaming.domain.join_target import JoinOutcome, decide_join
from services.streaming.domain.meetings import is_valid_event_id

START = dt.datetime(2021, 12, 1, 2, 0, tzinfo=dt.UTC)  # 09:00 WIB
NOW = dt.datetime(2021, 12, 1, 3, 0, tzinfo=dt.UTC)
END = dt.datetime(2021, 12, 1, 9, 0, tzinfo=dt.UTC)
OPENS = dt.timedelta(minutes=30)
ZOOM, YOUTUBE = "https://us02web.zoom.us/j/81234567890", "https://www.youtube.com/watch?v=x"

# A running meeting with both channels, opened now; each test changes what it is about.
decide = partial(
    decide_join,
    revoked=False,
    cancelled=False,
    starts_at=START,
    ends_at=END,
    zoom_url=ZOOM,
    youtube_url=YOUTUBE,
    now=NOW,
    opens_before=OPENS,
)


def test_a_running_meeting_leads_to_zoom():
    decision = decide()
    assert (decision.outcome, decision.url, decision.channel_kind) == (JoinOutcome.REDIRECT, ZOOM, "zoom")


def test_without_zoom_the_link_leads_to_youtube():
    decision = decide(zoom_url=None)
    assert (decision.outcome, decision.url, decision.channel_kind) == (JoinOutcome.REDIRECT, YOUTUBE, "youtube")


def test_a_revoked_link_leads_nowhere_even_after_the_end():
    assert decide(revoked=True, now=END + dt.timedelta(days=1)).outcome is JoinOutcome.REVOKED


@pytest.mark.parametrize("now", [START - dt.timedelta(days=3), NOW, END + dt.timedelta(days=1)])
def test_a_cancelled_meeting_leads_nowhere_at_any_time(now):
    assert decide(cancelled=True, now=now).outcome is JoinOutcome.CANCELLED


def test_after_the_end_the_link_offers_the_youtube_recording():
    decision = decide(now=END + dt.timedelta(seconds=1))
    assert (decision.outcome, decision.url) == (JoinOutcome.OVER, YOUTUBE)


def test_after_the_end_without_youtube_there_is_no_link_to_offer():
    decision = decide(youtube_url=None, now=END + dt.timedelta(hours=1))
    assert (decision.outcome, decision.url) == (JoinOutcome.OVER, None)


@pytest.mark.parametrize(
    "now, outcome",
    [
        (START - dt.timedelta(days=1), JoinOutcome.EARLY),
        (START - OPENS - dt.timedelta(microseconds=1), JoinOutcome.EARLY),
        (START - OPENS, JoinOutcome.REDIRECT),
        (START, JoinOutcome.REDIRECT),
        (END, JoinOutcome.REDIRECT),
        (END + dt.timedelta(microseconds=1), JoinOutcome.OVER),
    ],
)
def test_the_link_leads_to_the_meeting_from_its_opening_to_its_end(now, outcome):
    assert decide(now=now).outcome is outcome


def test_too_early_says_from_when_the_link_opens_and_leads_nowhere():
    decision = decide(now=START - dt.timedelta(hours=2))
    assert (decision.url, decision.channel_kind, decision.opens_at) == (None, None, START - OPENS)


def test_the_window_follows_the_setting():
    assert decide(now=START - dt.timedelta(minutes=50), opens_before=dt.timedelta(hours=1)).outcome is JoinOutcome.REDIRECT
    assert decide(now=START - dt.timedelta(minutes=1), opens_before=dt.timedelta(0)).outcome is JoinOutcome.EARLY


def test_a_meeting_with_unknown_times_is_neither_early_nor_over():
    assert decide(starts_at=None, ends_at=None, youtube_url=None).outcome is JoinOutcome.REDIRECT


def test_no_channel_means_nothing_to_redirect_to():
    assert decide(zoom_url=None, youtube_url=None).outcome is JoinOutcome.NO_CHANNEL


def test_event_ids_are_short_and_plain():
    assert is_valid_event_id("6f1c2a8e-1b2c-4d5e-9f00-123456789abc")
    assert not is_valid_event_id("x" * 65)
    assert not is_valid_event_id("../etc")
    assert not is_valid_event_id("")
