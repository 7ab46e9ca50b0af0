"""choose_retry_delay: the growing delays between attempts, and a Retry-After that asks for more."""

from __future__ import annotations

import pytest

from shared.messaging.consumer import choose_retry_delay

DELAYS = (5, 30, 120, 600, 3600)


@pytest.mark.parametrize("attempt, delay", [(1, 5), (2, 30), (3, 120), (4, 600), (5, 3600)])
def test_attempt_n_waits_the_nth_delay(attempt, delay):
    assert choose_retry_delay(DELAYS, attempt, None) == delay


@pytest.mark.parametrize("attempt", [6, 7, 100])
def test_no_delay_after_the_last_attempt(attempt):
    assert choose_retry_delay(DELAYS, attempt, None) is None


def test_no_delay_after_the_last_attempt_even_with_retry_after():
    assert choose_retry_delay(DELAYS, 6, 10) is None


@pytest.mark.parametrize(
    "attempt, retry_after, delay",
    [
        (1, 3, 5),  # shorter than the tier: the tier stands
        (1, 5, 5),
        (1, 6, 30),  # moves to the first tier that covers it
        (1, 30, 30),
        (1, 31, 120),
        (2, 500, 600),
        (3, 60, 120),
        (1, 7200, 3600),  # longer than every tier: the longest
        (1, 0, 5),
        (4, 0.5, 600),
    ],
)
def test_retry_after_bumps_to_the_covering_tier(attempt, retry_after, delay):
    assert choose_retry_delay(DELAYS, attempt, retry_after) == delay


def test_single_tier():
    assert [choose_retry_delay((2.5,), n, None) for n in (1, 2)] == [2.5, None]
