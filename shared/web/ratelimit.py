"""Request budgets per key (agency, client address) kept by the `limits` library: 429 with Retry-After when spent.

With RATE_LIMIT_STORAGE_URL (redis://…) every worker of every replica counts in the same Redis keys,
so N gunicorn workers behind a load balancer give an agency one budget, not N. Without it each
process counts in its own memory (one process, `make run`, tests).
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

log = logging.getLogger(__name__)


class RateLimiter:
    """`per_minute` units per key in a sliding minute; `name` keeps budgets of different purposes apart."""

    def __init__(self, per_minute: int, *, storage_url: str = "", key_prefix: str = "rakor", name: str = "requests"):
        self.limit = RateLimitItemPerMinute(per_minute)
        self.name = name
        if storage_url:
            storage = storage_from_string(storage_url, key_prefix=key_prefix, socket_timeout=1.0, socket_connect_timeout=1.0)
        else:
            storage = storage_from_string("memory://")
        self._strategy = SlidingWindowCounterRateLimiter(storage)

    def hit(self, key: str) -> float | None:
        """Spend one unit of `key`'s budget; None when allowed, else the seconds to wait."""
        try:
            if self._strategy.hit(self.limit, self.name, key):
                return None
            return self._retry_after(key)
        except Exception as exc:  # noqa: BLE001 - storage down: serve without a limit rather than refuse everyone
            log.warning("rate limit storage unavailable (%s: %s); request allowed", type(exc).__name__, exc)
            return None

    def spend_up_to(self, key: str, units: int) -> int:
        """Spend `units` more of an already admitted request, or what is left of the budget; return what was spent.

        A bulk post of more rows than the minute allows still goes through once (it was admitted),
        then the agency waits until the window has moved on.
        """
        try:
            left = self._strategy.get_window_stats(self.limit, self.name, key).remaining
            units = min(units, left)
            if units > 0 and self._strategy.hit(self.limit, self.name, key, cost=units):
                return units
        except Exception as exc:  # noqa: BLE001 - as in hit()
            log.warning("rate limit storage unavailable (%s: %s)", type(exc).__name__, exc)
        return 0

    def blocked(self, key: str) -> float | None:
        """Without spending anything: the seconds `key` must wait, or None when it has budget left."""
        try:
            if self._strategy.test(self.limit, self.name, key):
                return None
            return self._retry_after(key)
        except Exception as exc:  # noqa: BLE001 - as in hit()
            log.warning("rate limit storage unavailable (%s: %s); request allowed", type(exc).__name__, exc)
            return None

    def _retry_after(self, key: str) -> float:
        stats = self._strategy.get_window_stats(self.limit, self.name, key)
        return float(max(1, math.ceil(stats.reset_time - time.time())))


def rate_limiter(settings, per_minute: int, name: str) -> RateLimiter | None:
    """The limiter a service builds from its settings; None when `per_minute` is 0 (no limit)."""
    if per_minute <= 0:
        return None
    return RateLimiter(per_minute, storage_url=settings.rate_limit_storage_url, key_prefix=settings.rate_limit_key_prefix, name=name)
