"""RateLimiter: a token bucket per key, with a fake clock."""
from __future__ import annotations

import pytest

from shared.web.ratelimit import RateLimiter


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_limiter(per_minute: int, burst: int | None = None, **kwargs):
    clock = FakeClock()
    return RateLimiter(per_minute, burst, clock=clock, **kwargs), clock


@pytest.mark.parametrize("per_minute, burst, allowed", [(60, None, 60), (600, None, 600), (60, 5, 5), (1, None, 1)])
def test_a_fresh_key_gets_its_burst_then_is_refused(per_minute, burst, allowed):
    limiter, _clock = make_limiter(per_minute, burst)
    assert [limiter.hit("agc-diskominfo-jateng") for _ in range(allowed)] == [None] * allowed
    assert limiter.hit("agc-diskominfo-jateng") is not None


@pytest.mark.parametrize("per_minute, retry_after", [(60, 1), (6, 10), (1, 60), (600, 1)])
def test_refusal_says_how_long_until_the_next_token(per_minute, retry_after):
    limiter, _clock = make_limiter(per_minute, burst=1)
    limiter.hit("k")
    assert limiter.hit("k") == retry_after


def test_tokens_refill_over_time():
    limiter, clock = make_limiter(6, burst=2)  # one token every 10 s
    assert [limiter.hit("k"), limiter.hit("k")] == [None, None]
    assert limiter.hit("k") == 10
    clock.advance(4)
    assert limiter.hit("k") == 6  # refused hits do not cost a token
    clock.advance(6)
    assert limiter.hit("k") is None
    assert limiter.hit("k") == 10


def test_refill_never_exceeds_the_burst():
    limiter, clock = make_limiter(60, burst=3)
    limiter.hit("k")
    clock.advance(3600)
    assert [limiter.hit("k") for _ in range(4)][-1] is not None
    clock.advance(3600)
    assert [limiter.hit("k") for _ in range(3)] == [None, None, None]


def test_keys_are_independent():
    limiter, _clock = make_limiter(60, burst=2)
    assert [limiter.hit("agency-a"), limiter.hit("agency-a"), limiter.hit("agency-a")][-1] is not None
    assert [limiter.hit("agency-b"), limiter.hit("agency-b")] == [None, None]
    assert limiter.hit("agency-a") is not None


def test_buckets_refilled_since_their_last_hit_are_forgotten_when_keys_overflow():
    limiter, clock = make_limiter(60, burst=2, max_keys=3)
    for key in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        limiter.hit(key)
    clock.advance(120)  # every bucket has refilled to the burst
    limiter.hit("10.0.0.4")
    assert len(limiter._buckets) <= 3


def test_buckets_still_limiting_are_kept_when_keys_overflow():
    limiter, _clock = make_limiter(60, burst=1, max_keys=2)
    limiter.hit("a")
    limiter.hit("b")
    limiter.hit("c")
    assert limiter.hit("a") is not None
