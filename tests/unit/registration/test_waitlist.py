"""Waitlist: who is promoted when seats free up, in order."""

from services.registration.domain.seats import SeatState
from services.registration.domain.waitlist import WaitlistEntry, promotions


def entries(*agencies):
    return [WaitlistEntry(f"r{i}", agency, i) for i, agency in enumerate(agencies, start=1)]


def test_promotes_head_of_waitlist_first():
    state = SeatState(capacity=2, taken=1, taken_by_agency={"a": 1}, waitlisted=3)
    chosen = promotions(state, entries("b", "c", "d"))
    assert [e.registration_id for e in chosen] == ["r1"]
    assert state.taken == 2 and state.waitlisted == 2


def test_passes_over_people_whose_agency_is_at_quota_keeping_seats_filled():
    state = SeatState(capacity=3, quota=1, taken=2, taken_by_agency={"a": 1, "b": 1}, waitlisted=3)
    chosen = promotions(state, entries("a", "b", "c"))
    assert [e.registration_id for e in chosen] == ["r3"]


def test_promotes_nobody_when_no_seat_is_free():
    state = SeatState(capacity=1, taken=1, taken_by_agency={"a": 1}, waitlisted=1)
    assert promotions(state, entries("b")) == []


def test_several_free_seats_promote_in_order():
    state = SeatState(capacity=5, taken=2, taken_by_agency={"a": 2}, waitlisted=4)
    assert [e.position for e in promotions(state, entries("b", "c", "d", "e"))] == [1, 2, 3]
