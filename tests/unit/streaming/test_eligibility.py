"""Who may watch online and what a registration change does to the personal link."""

from __future__ import annotations

import pytest

from services.streaming.domain.eligibility import LinkAction, is_eligible, link_action, revoke_reason


@pytest.mark.parametrize(
    "status,mode,expected",
    [
        ("confirmed", "online", True),
        ("confirmed", "in_person", False),
        ("waitlisted", "online", False),
        ("waitlisted", "in_person", False),
        ("cancelled", "online", False),
    ],
)
def test_only_confirmed_online_participants_are_eligible(status, mode, expected):
    assert is_eligible(status, mode) is expected


def test_an_eligible_person_without_link_gets_one_once_links_are_published():
    assert link_action(eligible=True, has_active_link=False, published=True) is LinkAction.ISSUE


def test_nobody_gets_a_link_before_the_organizer_publishes():
    assert link_action(eligible=True, has_active_link=False, published=False) is LinkAction.NONE


def test_an_eligible_person_with_a_link_gets_no_second_one():
    assert link_action(eligible=True, has_active_link=True, published=True) is LinkAction.NONE


@pytest.mark.parametrize("published", [True, False])
def test_losing_eligibility_revokes_the_link(published):
    assert link_action(eligible=False, has_active_link=True, published=published) is LinkAction.REVOKE


def test_an_ineligible_person_without_link_needs_nothing():
    assert link_action(eligible=False, has_active_link=False, published=True) is LinkAction.NONE


def test_revoke_reason_names_cancellation_before_mode():
    assert revoke_reason("cancelled", "online") == "cancelled"
    assert revoke_reason("confirmed", "in_person") == "in_person"
    assert revoke_reason("waitlisted", "online") == "waitlisted"
