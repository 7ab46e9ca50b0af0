"""The worker's reminder thread: polls the reminders table, the due SMS fallbacks and the agency digests and sends them (several workers may run it at once)."""

from __future__ import annotations

import logging
import threading

from services.notification.courier import Courier
from services.notification.digesting import DEFAULT_MINUTES, send_due_digests
from services.notification.fallback import send_due_fallbacks
from services.notification.receipts import sweep_early_receipts
from services.notification.reminding import send_due_reminders

log = logging.getLogger(__name__)

# A reminder goes out at most this long after its moment (plus the time to reach the first recipient).
POLL_SECONDS = 1.0


class ReminderScheduler:
    """Runs send_due_reminders, send_due_fallbacks and send_due_digests every POLL_SECONDS in a thread until stop()."""

    def __init__(self, session_factory, courier: Courier, poll_seconds: float = POLL_SECONDS, digest_minutes: int = DEFAULT_MINUTES):
        self.session_factory = session_factory
        self.courier = courier
        self.digest_minutes = digest_minutes
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notification-reminders", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop between batches; a fan-out left half-way is finished by whichever worker claims it after its lease."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                send_due_reminders(self.session_factory, self.courier, should_stop=self._stop.is_set)
            except Exception:  # noqa: BLE001 - a database hiccup must not end reminders for the life of the worker
                log.exception("sending due reminders failed; trying again at the next poll")
            try:
                send_due_fallbacks(self.session_factory, self.courier)
            except Exception:  # noqa: BLE001 - same: the next poll tries again
                log.exception("sending due SMS fallbacks failed; trying again at the next poll")
            try:
                send_due_digests(self.session_factory, self.courier, self.digest_minutes, should_stop=self._stop.is_set)
            except Exception:  # noqa: BLE001 - same: the next poll tries again
                log.exception("sending agency digests failed; trying again at the next poll")
            try:
                sweep_early_receipts(self.session_factory)
            except Exception:  # noqa: BLE001 - same: the kept receipts wait for the next poll
                log.exception("applying early receipts failed; trying again at the next poll")
            self._stop.wait(self.poll_seconds)
