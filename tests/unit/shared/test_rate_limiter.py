"""RateLimiter: a per-minute budget per key, kept by the `limits` library (in memory here; Redis in the integration tests)."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from shared.web.ratelimit import RateLimiter, rate_limiter


@pytest.mark.parametrize("per_minute", [1, 5, 60])
def test_a_fresh_key_gets_its_budget_then_is_refused_with_a_retry_after_within_the_minute(per_minute):
    limiter = RateLimiter(per_minute)
    assert [limiter.hit("agc-diskominfo-jateng") for _ in range(per_minute)] == [None] * per_minute
    retry_after = limiter.hit("agc-diskominfo-jateng")
    assert retry_after is not None and 1 <= retry_after <= 60


def test_keys_are_independent():
    limiter = RateLimiter(2)
    assert [limiter.hit("agency-a") for _ in range(3)][-1] is not None
    assert [limiter.hit("agency-b"), limiter.hit("agency-b")] == [None, None]
    assert limiter.hit("agency-a") is not None


def test_limiters_of_different_names_keep_separate_budgets_in_one_storage():
    agency, join = RateLimiter(1, name="agency"), RateLimiter(1, name="join-failures")
    assert (agency.hit("10.0.0.1"), join.hit("10.0.0.1")) == (None, None)


def test_blocked_looks_without_spending():
    limiter = RateLimiter(2)
    assert [limiter.blocked("k") for _ in range(5)] == [None] * 5
    limiter.hit("k")
    limiter.hit("k")
    assert limiter.blocked("k") is not None


def test_spend_up_to_takes_what_is_left_and_never_more():
    limiter = RateLimiter(10)
    limiter.hit("agency")
    assert limiter.spend_up_to("agency", 999) == 9
    assert limiter.hit("agency") is not None
    assert limiter.spend_up_to("agency", 5) == 0


def test_zero_per_minute_means_no_limiter():
    settings = SimpleNamespace(rate_limit_storage_url="", rate_limit_key_prefix="rakor")
    assert rate_limiter(settings, 0, "join-failures") is None
    assert isinstance(rate_limiter(settings, 3, "join-failures"), RateLimiter)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_storage_lets_requests_through_instead_of_refusing_everyone():
    limiter = RateLimiter(1, storage_url=f"redis://127.0.0.1:{_closed_port()}/0")
    assert [limiter.hit("k"), limiter.hit("k"), limiter.blocked("k")] == [None, None, None]
    assert limiter.spend_up_to("k", 3) == 0
