"""The rules notification and streaming both apply to registration events: the status an event says, newest event wins."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.domain.registration_events import is_stale, registration_status

UTC = dt.UTC


def test_newest_event_wins():
    earlier, later = dt.datetime(2021, 11, 20, 1, tzinfo=UTC), dt.datetime(2021, 11, 20, 2, tzinfo=UTC)
    assert is_stale(earlier, later)
    assert not is_stale(later, earlier)
    assert not is_stale(earlier, None)
    # The same event delivered again is not stale: its sends may still be owed.
    assert not is_stale(later, later)
    assert is_stale(later, later, sequence=1, seen_sequence=2)
    assert not is_stale(later, later, sequence=2, seen_sequence=2)


def test_a_cancellation_says_cancelled_by_its_type_whatever_its_payload_says():
    assert registration_status("registration.cancelled", {"status": "confirmed"}) == "cancelled"
    assert registration_status("registration.cancelled", {}) == "cancelled"


@pytest.mark.parametrize(
    "event_type", ["registration.confirmed", "registration.waitlisted", "registration.promoted", "registration.mode_changed"]
)
def test_other_registration_events_carry_the_status_in_their_payload(event_type):
    assert registration_status(event_type, {"status": "waitlisted"}) == "waitlisted"
