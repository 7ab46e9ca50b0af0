"""What the views share per app: the session factory, the agency rate limiter and the key look-up cache."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from services.registration.operations.agencies import KnownKey
from shared.db import utcnow
from shared.web import RateLimiter
from shared.web.state import service_state

EXTENSION = "rakor_registration"


# How long a verified key is trusted without asking the database again. A revocation or the end of a
# rotation's grace must reach every worker of every replica within a second; half a second leaves
# room for the request in flight. Measured in BENCHMARKS.md ("agency key check").
KEY_CACHE_SECONDS = 0.5


@dataclass
class AgencyKeyCache:
    """Agency keys verified in the last KEY_CACHE_SECONDS: hash -> KnownKey.

    Agencies post in bursts (bulk uploads, a burst of single intakes), so even half a second saves most
    key queries under load. A key's own expiry (a rotation's grace) is honoured to the instant.
    """

    ttl: float = KEY_CACHE_SECONDS
    _entries: dict[str, tuple[float, KnownKey]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key_hash: str) -> KnownKey | None:
        entry = self._entries.get(key_hash)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return None
        known = entry[1]
        if known.expires_at is not None and utcnow() >= known.expires_at:
            return None
        return known

    def forget_agency(self, agency_id: str) -> None:
        """Drop the agency's keys here at once (after a rotation or revocation); other workers wait out the TTL."""
        with self._lock:
            for key_hash in [h for h, (_, known) in self._entries.items() if known.agency_id == agency_id]:
                del self._entries[key_hash]

    def put(self, key_hash: str, known: KnownKey) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key_hash] = (time.monotonic(), known)


@dataclass
class RegistrationContext:
    session_factory: Callable[[], Session]
    rate_limiter: RateLimiter
    agency_keys: AgencyKeyCache = field(default_factory=AgencyKeyCache)


def context() -> RegistrationContext:
    return service_state(EXTENSION)


def sessions() -> Callable[[], Session]:
    return context().session_factory
