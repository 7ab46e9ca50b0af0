"""The door's rules: who may be checked in and why not, a check-in recorded once, undo; token validity."""

import datetime as dt

import pytest

from services.registration.domain.access import ADMIN, Caller, credential_is_active
from services.registration.domain.door import Attendee, CheckInRefused, check_in, refusal, undo_check_in

NOW = dt.datetime(2031, 12, 1, 1, 30, tzinfo=dt.UTC)
EARLIER = NOW - dt.timedelta(minutes=20)


def attendee(event_id="m1", status="confirmed", mode="in_person", checked_in_at=None):
    return Attendee(event_id, status, mode, checked_in_at)


def test_a_confirmed_in_person_attendee_is_checked_in_now():
    outcome = check_in(attendee(), "m1", NOW)
    assert (outcome.checked_in_at, outcome.already_checked_in, outcome.is_new) == (NOW, False, True)


def test_a_second_scan_answers_the_first_time():
    outcome = check_in(attendee(checked_in_at=EARLIER), "m1", NOW)
    assert (outcome.checked_in_at, outcome.already_checked_in) == (EARLIER, True)


@pytest.mark.parametrize(
    "who, reason",
    [
        (attendee(status="cancelled"), "cancelled"),
        (attendee(status="cancelled", mode="online"), "cancelled"),
        (attendee(status="waitlisted"), "waitlisted"),
        (attendee(mode="online"), "online"),
        (attendee(event_id="m2"), "not_this_meeting"),
        (attendee(event_id="m2", status="cancelled"), "not_this_meeting"),
    ],
)
def test_refusals_name_their_reason(who, reason):
    assert refusal(who, "m1") == reason
    with pytest.raises(CheckInRefused) as refused:
        check_in(who, "m1", NOW)
    assert refused.value.reason == reason and refused.value.details == {"reason": reason}


def test_undo_gives_the_check_in_to_clear_and_refuses_otherwise():
    assert undo_check_in(attendee(checked_in_at=EARLIER), "m1") == EARLIER
    with pytest.raises(CheckInRefused, match="nothing to undo"):
        undo_check_in(attendee(), "m1")
    with pytest.raises(CheckInRefused) as refused:
        undo_check_in(attendee(event_id="m2", checked_in_at=EARLIER), "m1")
    assert refused.value.reason == "not_this_meeting"


def test_credentials_work_until_revoked_or_expired():
    assert credential_is_active(None, None, NOW)
    assert credential_is_active(NOW + dt.timedelta(seconds=1), None, NOW)
    assert not credential_is_active(NOW, None, NOW)
    assert not credential_is_active(None, EARLIER, NOW)


def test_a_door_caller_works_only_its_own_meetings_door_and_is_never_the_organizer():
    door = Caller(door_token_id="t1", door_event_id="m1")
    agency = Caller(agency_id="a1", agency_name="Biro Humas")
    assert door.is_door and not door.is_admin and not door.may_see("a1")
    assert door.may_work_the_door_of("m1") and not door.may_work_the_door_of("m2")
    assert ADMIN.may_work_the_door_of("m2") and not agency.may_work_the_door_of("m1")
    assert (ADMIN.kind, agency.kind, door.kind) == ("admin", "agency", "door")
