"""Rows sent under a lease: what a pass leaves behind, and the loop that sends the due rows one after another."""

from __future__ import annotations

import pytest

from services.notification.domain.claims import PASSES, SENDING, SENT, retries_left, send_one_by_one, status_after_pass


@pytest.mark.parametrize(
    "unsettled, more_passes, status",
    [(True, True, SENDING), (True, False, SENT), (False, True, SENT), (False, False, SENT)],
)
def test_a_row_is_held_for_another_pass_only_while_messages_are_unsettled_and_passes_remain(unsettled, more_passes, status):
    assert status_after_pass(unsettled, more_passes) == status


def test_the_last_pass_leaves_no_retry():
    assert retries_left(PASSES - 1)
    assert not retries_left(PASSES)


def test_rows_are_taken_and_sent_one_at_a_time_until_none_is_left():
    waiting, events = ["a", "b", "c"], []

    def take():
        events.append("take")
        return waiting.pop(0) if waiting else None

    def send(row):
        events.append(f"send {row}")
        return SENT

    taken = send_one_by_one(take, send, lambda row, status: events.append(f"{row}: {status}"), lambda: False)

    assert taken == 3
    assert events == ["take", "send a", "a: sent", "take", "send b", "b: sent", "take", "send c", "c: sent", "take"]


def test_a_stop_lands_between_two_rows_and_nothing_more_is_taken():
    waiting, sent = ["a", "b", "c"], []

    def send(row):
        sent.append(row)
        return SENDING

    taken = send_one_by_one(lambda: waiting.pop(0), send, lambda row, status: None, lambda: len(sent) == 2)

    assert taken == 2
    assert sent == ["a", "b"]
    assert waiting == ["c"]


def test_nothing_is_taken_once_a_stop_is_asked_for():
    taken = send_one_by_one(lambda: pytest.fail("nothing may be taken"), lambda row: SENT, lambda row, status: None, lambda: True)

    assert taken == 0
