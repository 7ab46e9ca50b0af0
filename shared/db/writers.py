"""One queue for the writers of a SQLite file, shared by every thread and process that writes to it.

SQLite lets one writer in at a time (shared.db begins every unit of work with BEGIN IMMEDIATE); a
writer that finds the database busy sleeps in SQLite's busy handler for 1, 2, 5, 10 … ms before it
looks again, while an intake transaction or a join lasts a few milliseconds. Under several gunicorn
workers most of the time went to those sleeps. An flock queue wakes the next writer the moment the
lock is free. PostgreSQL needs none of this: its row locks already wake waiters at once.

Writers that do not queue here (a relay, a consumer) still meet SQLite's busy timeout as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shared.db import unit_of_work


class WriterQueue:
    """An exclusive lock shared by the threads of this process (threading.Lock) and by processes (flock)."""

    def __init__(self, path: str):
        self.path = path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        # flock does not separate the threads of one process, hence the thread lock around it.
        with self._thread_lock:
            if self._fd is None or self._pid != os.getpid():
                # Opened lazily and again after a fork: a descriptor inherited from the parent would share its lock.
                self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def writer_queue(engine: Engine | None) -> WriterQueue | None:
    """The queue of the SQLite file behind `engine`; None for PostgreSQL and in-memory SQLite (nothing to share)."""
    if engine is None or engine.dialect.name != "sqlite":
        return None
    database = engine.url.database or ""
    if not database or database == ":memory:":
        return None
    with _queues_lock:
        return _queues.setdefault(database, WriterQueue(database + ".writers.lock"))


@contextlib.contextmanager
def queued(engine: Engine | None) -> Iterator[None]:
    """Hold the writers' queue of `engine` for the block (nothing to hold on PostgreSQL)."""
    queue = writer_queue(engine)
    if queue is None:
        yield
        return
    with queue.held():
        yield


@contextlib.contextmanager
def writing(session_factory: Callable[[], Session]) -> Iterator[Session]:
    """shared.db.unit_of_work, entered in turn with the other writers of a SQLite file."""
    with queued(getattr(session_factory, "kw", {}).get("bind")):
        with unit_of_work(session_factory) as session:
            yield session
