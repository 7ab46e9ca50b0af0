"""A token bucket per key (agency key, client address), kept in the process; 429 with Retry-After when empty."""
from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    """`per_minute` requests per key, with bursts up to `burst` (default: the per-minute figure)."""

    def __init__(self, per_minute: int, burst: int | None = None, clock=time.monotonic, max_keys: int = 100_000):
        self.rate = per_minute / 60.0
        self.capacity = float(burst or per_minute)
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Take one token for `key`; return None if allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                allowed = None
            else:
                self._buckets[key] = (tokens, now)
                allowed = max(1.0, math.ceil((1 - tokens) / self.rate))
            if len(self._buckets) > self.max_keys:
                # Forget full buckets first: a flood of distinct keys must not grow memory forever.
                # Stored counts are as of each key's last hit (never full after one); refill to now.
                self._buckets = {
                    k: v for k, v in self._buckets.items() if v[0] + (now - v[1]) * self.rate < self.capacity
                }
            return allowed
