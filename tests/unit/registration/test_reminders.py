"""Reminder rules: ISO 8601 durations before the start, a local time only with whole days, a short list without repeats."""

import datetime as dt

import pytest

from services.registration.domain.reminders import MAX_REMINDERS, check_at, list_problems, normalized, parse_before


@pytest.mark.parametrize(
    "text, expected",
    [
        ("P1D", dt.timedelta(days=1)),
        ("PT1H", dt.timedelta(hours=1)),
        ("PT1M", dt.timedelta(minutes=1)),
        ("P2DT3H", dt.timedelta(days=2, hours=3)),
        ("P1W", dt.timedelta(weeks=1)),
        ("PT90M", dt.timedelta(minutes=90)),
        ("pt30m", dt.timedelta(minutes=30)),
    ],
)
def test_durations_in_weeks_days_hours_and_minutes_are_read(text, expected):
    assert parse_before(text) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "1D", "P1", "PT1D", "P1H", "P1M", "P1Y", "P-1D", "P1.5D", "P1D x", "satu hari", "P1DT"])
def test_anything_else_is_not_a_duration(text):
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_before(text)


@pytest.mark.parametrize("text", ["P0D", "PT0M", "P0DT0H"])
def test_a_reminder_must_come_before_the_start(text):
    with pytest.raises(ValueError, match="positive"):
        parse_before(text)


def test_a_reminder_months_ahead_is_refused_without_overflowing():
    with pytest.raises(ValueError, match="at most"):
        parse_before("P9999D")


def test_a_time_of_day_needs_whole_days():
    check_at(dt.timedelta(days=1), "09:00")
    check_at(dt.timedelta(days=2), None)
    check_at(dt.timedelta(hours=1), None)
    with pytest.raises(ValueError, match="whole days"):
        check_at(dt.timedelta(hours=25), "09:00")


@pytest.mark.parametrize("at", ["9:00", "24:00", "09:60", "0900", "09:00:00", ""])
def test_a_time_of_day_is_hh_mm(at):
    with pytest.raises(ValueError, match="HH:MM"):
        check_at(dt.timedelta(days=1), at)


def test_the_stored_form_is_upper_case_with_at_always_present():
    assert normalized({"before": "p1d"}) == {"before": "P1D", "at": None}
    assert normalized({"before": "P1D", "at": "08:30"}) == {"before": "P1D", "at": "08:30"}


def test_a_short_list_of_distinct_reminders_is_fine():
    assert list_problems([{"before": "P1D", "at": "09:00"}, {"before": "PT1H"}]) == []
    assert list_problems([]) == []


def test_the_same_moment_twice_is_a_duplicate_however_written():
    assert list_problems([{"before": "P1D"}, {"before": "PT24H"}]) == ["The same reminder is given twice."]
    assert list_problems([{"before": "P1D", "at": "09:00"}, {"before": "P1D", "at": "13:00"}]) == []


def test_at_most_five_reminders():
    six = [{"before": f"PT{n}H"} for n in range(1, MAX_REMINDERS + 2)]
    assert list_problems(six) == [f"At most {MAX_REMINDERS} reminders."]
