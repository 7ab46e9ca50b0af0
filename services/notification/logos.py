"""Organizer logos: the upload (checked by domain/logo.py), its removal, and the cache the senders read through.

Why the notification service takes the upload on its own admin API rather than over the bus: the logo
is only ever used to write mail, which this service alone does; carrying up to 256 KiB in an event would
put it in every consumer's queue and in registration's outbox for nothing.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.notification.domain.logo import check_logo
from services.notification.models import MeetingLogo
from shared.db import read_only, unit_of_work, utcnow

SessionFactory = Callable[[], Session]
# How long a sender keeps using a logo it read: a replaced or removed logo shows in mail within this time.
CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class LogoImage:
    """What a mail needs to embed the logo as an inline part."""

    content_type: str
    data: bytes


def save_logo(session_factory: SessionFactory, event_id: str, data: bytes) -> MeetingLogo:
    """Check the image (LogoRejected when it is not acceptable) and store it as the meeting's logo."""
    checked = check_logo(data)
    with unit_of_work(session_factory) as session:
        logo = session.get(MeetingLogo, event_id) or MeetingLogo(event_id=event_id)
        logo.content_type, logo.data, logo.sha256 = checked.content_type, data, hashlib.sha256(data).hexdigest()
        logo.width, logo.height, logo.updated_at = checked.width, checked.height, utcnow()
        session.add(logo)
        session.flush()
        session.expunge(logo)
    return logo


def find_logo(session_factory: SessionFactory, event_id: str) -> MeetingLogo | None:
    with read_only(session_factory) as session:
        logo = session.get(MeetingLogo, event_id)
        if logo is not None:
            session.expunge(logo)
        return logo


def remove_logo(session_factory: SessionFactory, event_id: str) -> bool:
    with unit_of_work(session_factory) as session:
        return bool(session.execute(delete(MeetingLogo).where(MeetingLogo.event_id == event_id)).rowcount)


class LogoCache:
    """event id -> LogoImage or None, read at most once per CACHE_SECONDS per meeting (a big send-out asks thousands of times)."""

    def __init__(self, session_factory: SessionFactory, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.session_factory, self.ttl, self.clock = session_factory, ttl, clock
        self._entries: dict[str, tuple[float, LogoImage | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, event_id: str) -> LogoImage | None:
        now = self.clock()
        with self._lock:
            cached = self._entries.get(event_id)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        with read_only(self.session_factory) as session:
            row = session.execute(select(MeetingLogo.content_type, MeetingLogo.data).where(MeetingLogo.event_id == event_id)).first()
        image = LogoImage(row.content_type, bytes(row.data)) if row else None
        with self._lock:
            self._entries[event_id] = (now, image)
        return image
