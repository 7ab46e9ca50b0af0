"""HTTP API of the streaming service: organizer endpoints under /v1 and the public join link /j/{token}."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from shared.web import RateLimiter

EXTENSION = "rakor_streaming"


@dataclass(frozen=True)
class StreamingState:
    """What the views need besides settings: the session factory and the join-link rate limiter."""

    session_factory: sessionmaker[Session]
    join_limiter: RateLimiter


def state() -> StreamingState:
    return current_app.extensions[EXTENSION]
