"""How long each kind of record is kept (UU 27/2022: personal data no longer than needed) and the loop that purges.

- an idempotent reply: 2 days (an agency retries within minutes, not days);
- a processed-event mark: 30 days (a broker redelivers within hours; a re-drive of a dead letter
  within the weeks an operator takes to fix the cause);
- a sent outbox row: 7 days (as before; it holds the event, personal data included);
- a meeting's personal data in notification and streaming: RETENTION_DAYS (default 90) after the
  meeting ended.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from shared.messaging.outbox import processed_rows
from shared.messaging.outbox_store import outbox

log = logging.getLogger(__name__)

IDEMPOTENT_REPLIES = dt.timedelta(days=2)
PROCESSED_MARKS = dt.timedelta(days=30)
SENT_OUTBOX = dt.timedelta(days=7)
PURGE_EVERY_SECONDS = 600.0


@dataclass(frozen=True)
class Cutoffs:
    """Records older than these moments are purged."""

    idempotent_replies: dt.datetime
    processed_marks: dt.datetime
    sent_outbox: dt.datetime
    meetings_ended_before: dt.datetime


def cutoffs(now: dt.datetime, retention_days: int) -> Cutoffs:
    """The cut-off moments at `now` for a personal-data retention of `retention_days` after a meeting's end."""
    return Cutoffs(now - IDEMPOTENT_REPLIES, now - PROCESSED_MARKS, now - SENT_OUTBOX, now - dt.timedelta(days=retention_days))


def purge_messaging(session: Session, limits: Cutoffs, *, publishes: bool = True) -> dict[str, int]:
    """Delete processed-event marks and, for a service that `publishes`, sent outbox rows past their retention."""
    # processed_rows is untyped like the insert that writes its marks, so the cut-off is bound the same way.
    marks = session.execute(delete(processed_rows).where(processed_rows.c.processed_at < limits.processed_marks)).rowcount
    if not publishes:
        return {"processed_events": marks or 0}
    sent = session.execute(delete(outbox).where(outbox.c.sent_at < limits.sent_outbox)).rowcount
    return {"processed_events": marks or 0, "sent_outbox": sent or 0}


class PurgeLoop(threading.Thread):
    """Runs a service's purge every `every` seconds beside its consumer; a failure is logged and tried again later."""

    def __init__(self, name: str, purge: Callable[[], dict[str, int]], every: float = PURGE_EVERY_SECONDS):
        super().__init__(name=f"{name}-purge", daemon=True)
        self.purge, self.every = purge, every
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                counts = self.purge()
                if any(counts.values()):
                    log.info("%s: purged %s", self.name, ", ".join(f"{n} {what}" for what, n in counts.items() if n))
            except Exception as exc:  # noqa: BLE001 - a database hiccup must not end the worker
                log.warning("%s: purge failed (%s: %s); next try in %.0f s", self.name, type(exc).__name__, exc, self.every)
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
