"""Meeting rules: consistent fields and which changes need new invitations."""

import datetime as dt

from services.registration.domain.meetings import bumps_sequence, changed_fields, registration_is_open, validate_meeting

WIB = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2021, 12, 1, 9, tzinfo=WIB)


def meeting(**overrides):
    return {
        "starts_at": START,
        "ends_at": START + dt.timedelta(hours=7),
        "in_person_capacity": 100,
        "agency_in_person_quota": 5,
        **overrides,
    }


def test_a_consistent_meeting_has_no_errors():
    assert validate_meeting(meeting()) == {}


def test_ends_must_come_after_starts():
    assert "ends_at" in validate_meeting(meeting(ends_at=START))


def test_quota_may_not_exceed_capacity():
    assert "agency_in_person_quota" in validate_meeting(meeting(agency_in_person_quota=101))


def test_registration_cannot_close_after_the_meeting_ends():
    assert "registration_closes_at" in validate_meeting(meeting(registration_closes_at=START + dt.timedelta(days=1)))


def test_changed_fields_compares_instants_not_offsets():
    same_instant = START.astimezone(dt.UTC)
    assert changed_fields({"starts_at": START, "title": "A"}, {"starts_at": same_instant, "title": "B"}) == ["title"]


def test_time_and_venue_changes_raise_the_sequence_title_does_not():
    assert bumps_sequence(["venue"]) and bumps_sequence(["ends_at"])
    assert not bumps_sequence(["title", "health_protocol"])


def test_registration_is_open_until_the_closing_time():
    assert registration_is_open(None, START)
    assert registration_is_open(START, START - dt.timedelta(seconds=1))
    assert not registration_is_open(START, START)
