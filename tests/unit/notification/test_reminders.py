"""Reminder rules with an injected clock: when each reminder is due, what is skipped, re-armed or cancelled."""

from __future__ import annotations

import datetime as dt

import pytest

from services.notification.domain.reminders import (
    ARMED,
    CANCEL,
    SEND,
    SKIP,
    SKIPPED,
    InvalidReminder,
    decide,
    due_moment,
    parse_duration,
    plan_reminders,
    receives_reminders,
    withdrawn,
)
from tests.factories.notification import make_meeting

UTC = dt.UTC
# The model meeting starts Wednesday 1 December 2021, 09:00 WIB = 02:00 UTC.
STARTS = dt.datetime(2021, 12, 1, 2, 0, tzinfo=UTC)
DAY_BEFORE_NINE = dt.datetime(2021, 11, 30, 2, 0, tzinfo=UTC)
HOUR_BEFORE = dt.datetime(2021, 12, 1, 1, 0, tzinfo=UTC)
A_WEEK_AHEAD = STARTS - dt.timedelta(days=7)


def meeting(**overrides):
    return make_meeting(**{"reminders": [{"before": "P1D", "at": "09:00"}, {"before": "PT1H"}], "status": "scheduled", **overrides})


def test_durations_count_days_on_the_calendar_and_the_rest_on_the_clock():
    assert parse_duration("P1D") == (1, dt.timedelta(0))
    assert parse_duration("PT1H30M") == (0, dt.timedelta(minutes=90))
    assert parse_duration("P1W") == (7, dt.timedelta(0))
    assert parse_duration("PT45S") == (0, dt.timedelta(seconds=45))
    for wrong in ("", "P", "PT", "1H", "P1DT", "PT-1H", "P1.5D"):
        with pytest.raises(InvalidReminder):
            parse_duration(wrong)


def test_default_reminders_fall_the_day_before_at_nine_local_and_an_hour_before():
    assert due_moment(STARTS, "Asia/Jakarta", {"before": "P1D", "at": "09:00"}) == DAY_BEFORE_NINE
    assert due_moment(STARTS, "Asia/Jakarta", {"before": "PT1H"}) == HOUR_BEFORE
    # 09:00 WITA is 01:00 UTC: "at" is read in the meeting's own zone.
    assert due_moment(STARTS, "Asia/Makassar", {"before": "P1D", "at": "09:00"}) == dt.datetime(2021, 11, 30, 1, 0, tzinfo=UTC)


def test_day_before_stays_the_day_before_across_a_daylight_saving_change():
    starts = dt.datetime(2021, 11, 8, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York (EST); Sunday 7 Nov was the change
    assert due_moment(starts, "America/New_York", {"before": "P1D", "at": "09:00"}) == dt.datetime(2021, 11, 7, 14, 0, tzinfo=UTC)


def test_reminders_armed_ahead_of_time():
    planned = plan_reminders(meeting(), A_WEEK_AHEAD)
    assert [(r.key, r.due_at, r.status) for r in planned] == [("P1D@09:00", DAY_BEFORE_NINE, ARMED), ("PT1H", HOUR_BEFORE, ARMED)]


def test_a_moment_already_passed_when_armed_is_skipped_not_sent_late():
    planned = plan_reminders(meeting(), DAY_BEFORE_NINE + dt.timedelta(hours=3))
    assert [(r.key, r.status) for r in planned] == [("P1D@09:00", SKIPPED), ("PT1H", ARMED)]


def test_a_moment_within_the_grace_is_still_armed():
    planned = plan_reminders(meeting(), HOUR_BEFORE + dt.timedelta(seconds=30))
    assert [r.status for r in planned] == [SKIPPED, ARMED]


def test_a_cancelled_meeting_asks_for_no_reminder_and_one_at_or_after_the_start_is_dropped():
    assert plan_reminders(meeting(status="cancelled"), A_WEEK_AHEAD) == []
    assert plan_reminders(meeting(reminders=[{"before": "PT0S"}]), A_WEEK_AHEAD) == []


def test_a_meeting_without_reminders_arms_none():
    assert plan_reminders(meeting(reminders=[]), A_WEEK_AHEAD) == []


def test_moving_the_meeting_withdraws_the_old_moments():
    moved = meeting(starts_at="2021-12-02T13:00:00+07:00", ends_at="2021-12-02T16:00:00+07:00")
    old = [(r.key, r.due_at) for r in plan_reminders(meeting(), A_WEEK_AHEAD)]
    new = plan_reminders(moved, A_WEEK_AHEAD)
    assert withdrawn(old, new) == set(old)
    assert [r.due_at for r in new] == [dt.datetime(2021, 12, 1, 2, 0, tzinfo=UTC), dt.datetime(2021, 12, 2, 5, 0, tzinfo=UTC)]
    assert withdrawn(old, plan_reminders(meeting(title="Rakor JFPH 2021"), A_WEEK_AHEAD)) == set()


def test_due_reminder_is_sent_within_the_grace_only():
    assert decide("PT1H", HOUR_BEFORE, meeting(), started=False, now=HOUR_BEFORE) == SEND
    assert decide("PT1H", HOUR_BEFORE, meeting(), started=False, now=HOUR_BEFORE + dt.timedelta(minutes=4)) == SEND
    assert decide("PT1H", HOUR_BEFORE, meeting(), started=False, now=HOUR_BEFORE + dt.timedelta(minutes=6)) == SKIP


def test_a_fan_out_begun_in_time_is_finished_after_the_grace_but_never_after_the_start():
    assert decide("PT1H", HOUR_BEFORE, meeting(), started=True, now=HOUR_BEFORE + dt.timedelta(minutes=30)) == SEND
    assert decide("PT1H", HOUR_BEFORE, meeting(), started=True, now=STARTS) == SKIP


def test_nothing_goes_for_the_old_time_after_a_move_or_after_a_cancellation():
    moved = meeting(starts_at="2021-12-01T13:00:00+07:00", ends_at="2021-12-01T16:00:00+07:00")
    assert decide("PT1H", HOUR_BEFORE, moved, started=False, now=HOUR_BEFORE) == CANCEL
    assert decide("PT1H", HOUR_BEFORE, meeting(status="cancelled"), started=False, now=HOUR_BEFORE) == CANCEL
    assert decide("PT1H", HOUR_BEFORE, meeting(reminders=[{"before": "P1D", "at": "09:00"}]), started=False, now=HOUR_BEFORE) == CANCEL
    assert decide("PT1H", HOUR_BEFORE, None, started=False, now=HOUR_BEFORE) == CANCEL


def test_only_confirmed_participants_are_reminded():
    assert receives_reminders("confirmed")
    assert not receives_reminders("waitlisted") and not receives_reminders("cancelled")
