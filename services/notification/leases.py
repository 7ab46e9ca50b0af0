"""Leases on claimed notifications, renewed while a fan-out is still sending them."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from services.notification import store
from services.notification.domain.delivery import lease_renewal_interval
from shared.db import unit_of_work, utcnow

log = logging.getLogger(__name__)


class LeaseKeeper(threading.Thread):
    """Renews the lease on the claims of a fan-out still in progress, so that a redelivery of the same
    bus message in the middle of a long fan-out (a broker reconnect, a consumer restart elsewhere)
    finds them held and sends nothing twice; a crashed sender stops renewing and its lease runs out."""

    def __init__(self, session_factory: Callable[[], Session], ids: list[str], lease_seconds: float):
        super().__init__(name="notification-lease", daemon=True)
        self.session_factory, self.lease_seconds = session_factory, lease_seconds
        self._held = set(ids)
        self._lock = threading.Lock()
        self._halt = threading.Event()
        self.renewals = 0

    def release(self, claim_id: str) -> None:
        """The claim's outcome is committed: its lease no longer matters."""
        with self._lock:
            self._held.discard(claim_id)

    def run(self) -> None:
        while not self._halt.wait(lease_renewal_interval(self.lease_seconds)):
            with self._lock:
                held = sorted(self._held)
            if not held:
                continue
            try:
                now = utcnow()
                with unit_of_work(self.session_factory) as session:
                    store.extend_leases(session, held, now, now + dt.timedelta(seconds=self.lease_seconds))
                self.renewals += 1
            except Exception as exc:  # noqa: BLE001 - try again at the next interval; the lease has room for it
                log.warning("could not renew the lease of %d notifications (%s: %s)", len(held), type(exc).__name__, exc)

    def stop(self) -> None:
        self._halt.set()
