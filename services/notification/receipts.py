"""Use case of the receipt webhooks: record what the provider reports about messages it accepted."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from services.notification import store
from services.notification.delivery_receipts import apply_early_receipts, apply_to_row
from services.notification.domain.receipts import Receipt
from shared.db import unit_of_work, utcnow

log = logging.getLogger(__name__)


# A receipt for an id no notification carries after this long was never ours (another system on the account).
RECEIPT_WAIT = dt.timedelta(days=2)


def record_receipts(session_factory: Callable[[], Session], receipts: Iterable[Receipt], channels: tuple[str, ...]) -> int:
    """Apply each receipt to the notification with its provider id; returns how many changed one.

    A receipt for an id we do not know yet is kept in early_receipts: the provider may report a message
    before the worker has committed that it sent it, and dropping that report would leave the message
    "sent" for good (and could trigger a needless SMS fallback). Each receipt is its own short
    transaction with the row locked, so two receipts of one message arriving together both count.
    """
    changed = 0
    for receipt in receipts:
        with unit_of_work(session_factory) as session:
            row = store.lock_by_provider_id(session, receipt.provider_id, channels)
            if row is None:
                store.keep_early_receipt(session, receipt, channels, utcnow())
                log.info(
                    "receipt for a provider id not known yet (%s, %s) kept until its send is recorded", receipt.provider_id, receipt.status
                )
                continue
            moved = apply_to_row(row, receipt)
        changed += moved
    return changed


def sweep_early_receipts(session_factory: Callable[[], Session], now: dt.datetime | None = None) -> int:
    """Apply kept receipts whose notification is known by now, and drop those that waited RECEIPT_WAIT in vain.

    The send path applies them too, but a receipt stored while that transaction was between its read
    and its commit is seen by neither side; this sweep, run by the scheduler, is the one that never misses.
    """
    now = now or utcnow()
    applied = 0
    with unit_of_work(session_factory) as session:
        for provider_id, channel, notification_id in store.early_receipts_now_known(session):
            applied += apply_early_receipts(session, notification_id, provider_id, channel)
        dropped = store.drop_early_receipts_before(session, now - RECEIPT_WAIT)
    if dropped:
        log.info("dropped %d receipts for provider ids no notification carries", dropped)
    return applied
