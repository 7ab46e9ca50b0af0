"""HTTP API of the streaming service: organizer endpoints under /v1 and the public join link /j/{token}."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from services.streaming.join_path import JoinPath
from shared.web import RateLimiter
from shared.web.state import service_state

EXTENSION = "rakor_streaming"


@dataclass(frozen=True)
class StreamingState:
    """What the views need besides settings: sessions, the join hot path, the join-link rate limiter."""

    session_factory: sessionmaker[Session]
    join_path: JoinPath
    join_limiter: RateLimiter | None  # counts failed look-ups per client; None: JOIN_RATE_LIMIT=0


def state() -> StreamingState:
    return service_state(EXTENSION)
