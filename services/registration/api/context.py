"""What the views share per app: the session factory, the agency rate limiter and the key look-up cache."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from flask import current_app
from sqlalchemy.orm import Session

from shared.web import RateLimiter

EXTENSION = "rakor_registration"


@dataclass
class AgencyKeyCache:
    """Agency keys already verified: hash -> (agency id, name).

    Safe to keep because a key never changes owner and cannot be revoked through the API; the TTL
    bounds how long a key removed by hand in the database keeps working. It saves one query per
    intake request.
    """

    ttl: float = 60.0
    _entries: dict[str, tuple[float, str, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key_hash: str) -> tuple[str, str] | None:
        entry = self._entries.get(key_hash)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return None
        return entry[1], entry[2]

    def put(self, key_hash: str, agency_id: str, name: str) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key_hash] = (time.monotonic(), agency_id, name)


@dataclass
class RegistrationContext:
    session_factory: Callable[[], Session]
    rate_limiter: RateLimiter
    agency_keys: AgencyKeyCache = field(default_factory=AgencyKeyCache)


def context() -> RegistrationContext:
    return current_app.extensions[EXTENSION]


def sessions() -> Callable[[], Session]:
    return context().session_factory
