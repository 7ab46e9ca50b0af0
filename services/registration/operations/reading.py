"""A read-only session whose loaded objects stay usable after it ends."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session

from shared.db import read_only


@contextlib.contextmanager
def reading(session_factory: Callable[[], Session]) -> Iterator[Session]:
    """shared.db.read_only, detaching the objects first: its closing rollback would otherwise expire them."""
    with read_only(session_factory) as session:
        yield session
        session.expunge_all()
