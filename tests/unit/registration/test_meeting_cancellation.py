"""Calling a meeting off is final: it can be cancelled once, and nothing changes it afterwards."""

import pytest

from services.registration.domain.errors import Conflict, MeetingCancelled
from services.registration.domain.meetings import CANCELLED, SCHEDULED, ensure_cancellable, ensure_scheduled


def test_a_scheduled_meeting_can_be_cancelled_and_changed():
    ensure_cancellable(SCHEDULED)
    ensure_scheduled(SCHEDULED, "new registrations are")


def test_cancelling_twice_is_a_conflict():
    with pytest.raises(MeetingCancelled, match="already cancelled"):
        ensure_cancellable(CANCELLED)


def test_changes_to_a_cancelled_meeting_are_conflicts_that_say_what_was_refused():
    with pytest.raises(Conflict) as refused:
        ensure_scheduled(CANCELLED, "check-ins are")
    assert refused.value.message == "This meeting was cancelled; check-ins are no longer possible."
