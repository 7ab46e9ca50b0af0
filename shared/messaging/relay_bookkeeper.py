"""The relay's database side, on a thread of its own: claims batches ahead and marks confirmed rows sent.

Keeping these round trips off pika's I/O loop lets the database work of one batch overlap the
publishing of the next (the database drivers release the GIL while they wait on the server).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable

from shared.messaging.connection import Heartbeat
from shared.messaging.outbox_store import OutboxStore, PendingEvent
from shared.retention import SENT_OUTBOX

log = logging.getLogger(__name__)

RETENTION = SENT_OUTBOX
PURGE_EVERY_SECONDS = 600
BATCHES_AHEAD = 2


class Bookkeeper(threading.Thread):
    """Owns every outbox query of one relay; the I/O loop only takes batches and hands back confirms."""

    def __init__(
        self, store: OutboxStore, *, batch_size: int, poll_interval: float, heartbeat: Heartbeat, on_batch_ready: Callable[[], None]
    ):
        super().__init__(name=f"{store.relay_name}-bookkeeper", daemon=True)
        self.store = store
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.heartbeat = heartbeat
        self.on_batch_ready = on_batch_ready
        self.idle = False  # the last claim found nothing to publish
        self.marked = 0
        # Two locks: the I/O loop only ever waits for _queues (held for microseconds); _database
        # serializes this thread's queries with pause_and_release(), so a release never frees a
        # row whose sent mark is being written.
        self._queues = threading.Lock()
        self._database = threading.Lock()
        self._wake = threading.Event()
        self._halt = threading.Event()
        self._prepared: collections.deque[list[PendingEvent]] = collections.deque()
        self._to_mark: list[int] = []
        self._to_release: list[int] = []
        self._more_waiting = False
        self._paused = True
        self._last_purge = 0.0
        self._error: BaseException | None = None

    # ----- called from the I/O loop --------------------------------------------------------------
    def take_batch(self) -> list[PendingEvent] | None:
        with self._queues:
            batch = self._prepared.popleft() if self._prepared else None
        if batch is not None:
            self._wake.set()
        return batch

    def confirmed(self, ids: list[int]) -> None:
        with self._queues:
            self._to_mark.extend(ids)
        self._wake.set()

    def refused(self, ids: list[int]) -> None:
        with self._queues:
            self._to_release.extend(ids)
        self._wake.set()

    def resume(self) -> None:
        self._paused = False
        self._wake.set()

    def settled(self) -> bool:
        """Nothing claimed but unpublished, nothing confirmed but unmarked, and nothing left to claim."""
        with self._queues:
            return self.idle and not self._prepared and not self._to_mark and not self._to_release

    # ----- called from the relay's main thread -----------------------------------------------------
    def pause_and_release(self) -> None:
        """After a lost connection: record what was confirmed, then give every other lease back."""
        self._paused = True
        with self._database:
            self._flush_marks()
            with self._queues:
                self._prepared.clear()
                self._to_release.clear()
            self.store.release()
            self._more_waiting = False

    def stop(self) -> None:
        self._halt.set()
        self._wake.set()
        self.join(30)
        with self._database:
            self._flush_marks()

    # ----- the thread ----------------------------------------------------------------------------
    def run(self) -> None:
        while not self._halt.is_set():
            try:
                worked = self._step()
            except Exception as exc:  # noqa: BLE001 - a database hiccup: log, back off, try again
                log.warning("relay %s: outbox query failed (%s: %s)", self.store.relay_name, type(exc).__name__, exc)
                worked = False
                self._halt.wait(1.0)
            if not worked:
                self._wake.wait(self.poll_interval)
            self._wake.clear()

    def _step(self) -> bool:
        self.heartbeat.beat()
        self._purge_if_due()
        with self._database:
            worked = self._flush_marks()
            with self._queues:
                refused, self._to_release = self._to_release, []
                room = not self._paused and len(self._prepared) < BATCHES_AHEAD
            if refused:
                self.store.release(refused)
                worked = True
            if not room:
                return worked
            batch = self.store.claim(self.batch_size, check_first=not self._more_waiting)
            self._more_waiting = len(batch) == self.batch_size
            with self._queues:
                self.idle = not batch
                if batch:
                    self._prepared.append(batch)
        if batch:
            self.on_batch_ready()
        return worked or bool(batch)

    def _flush_marks(self) -> bool:
        with self._queues:
            ids, self._to_mark = self._to_mark, []
        if not ids:
            return False
        self.store.mark_sent(ids)
        self.marked += len(ids)
        return True

    def _purge_if_due(self) -> None:
        if time.monotonic() - self._last_purge > PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            purged = self.store.purge_sent(RETENTION)
            if purged:
                log.info("relay %s: purged %d sent outbox rows older than %s", self.store.relay_name, purged, RETENTION)
