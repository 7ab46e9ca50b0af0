"""Seat allocation: capacity, agency quota and the end of the waitlist."""

from services.registration.domain.seats import CONFIRMED, WAITLISTED, SeatState, allocate, allocate_seat


def test_confirms_until_capacity_then_waitlists_in_order():
    state = SeatState(capacity=2)
    outcomes = [allocate_seat(state, "kominfo") for _ in range(4)]
    assert [o.status for o in outcomes] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert [o.waitlist_position for o in outcomes] == [None, None, 1, 2]
    assert state.taken == 2 and state.waitlisted == 2


def test_agency_quota_waitlists_its_extra_people_while_others_get_seats():
    state = SeatState(capacity=3, quota=1)
    assert allocate_seat(state, "kominfo").status == CONFIRMED
    assert allocate_seat(state, "kominfo").status == WAITLISTED
    assert allocate_seat(state, "jabar").status == CONFIRMED
    assert state.taken_by_agency == {"kominfo": 1, "jabar": 1}


def test_zero_capacity_waitlists_everyone():
    state = SeatState(capacity=0)
    assert allocate_seat(state, "kominfo").waitlist_position == 1


def test_online_is_confirmed_without_taking_a_seat():
    state = SeatState(capacity=0)
    assert allocate(state, "kominfo", "online").status == CONFIRMED
    assert state.taken == 0 and state.waitlisted == 0


def test_release_gives_the_seat_back_to_the_agency():
    state = SeatState(capacity=1, quota=1)
    allocate_seat(state, "kominfo")
    state.release("kominfo")
    assert state.has_room_for("kominfo")
