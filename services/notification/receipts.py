"""Use case of the receipt webhooks: record what the provider reports about messages it accepted."""
from __future__ import annotations

import logging
from typing import Callable, Iterable

from sqlalchemy.orm import Session

from services.notification import metrics, store
from services.notification.domain.delivery import FAILED
from services.notification.domain.receipts import DeliveryState, Receipt, apply_receipt
from shared.db import unit_of_work, utcnow

log = logging.getLogger(__name__)


def record_receipts(session_factory: Callable[[], Session], receipts: Iterable[Receipt], channels: tuple[str, ...]) -> int:
    """Apply each receipt to the notification with its provider id; returns how many changed one.

    A receipt for an id we never sent (another system on the same account, or a message whose
    send outcome is not committed yet) changes nothing. Each receipt is its own short transaction
    with the row locked, so two receipts of one message arriving together both count.
    """
    changed = 0
    for receipt in receipts:
        with unit_of_work(session_factory) as session:
            row = store.lock_by_provider_id(session, receipt.provider_id, channels)
            if row is None:
                log.info("receipt for unknown provider id %s (%s) ignored", receipt.provider_id, receipt.status)
                continue
            before = DeliveryState(row.status, row.delivered_at, row.read_at, row.last_error)
            after = apply_receipt(before, receipt)
            if after == before:
                continue
            row.status, row.delivered_at, row.read_at, row.last_error = after.status, after.delivered_at, after.read_at, after.last_error
            row.updated_at = utcnow()
            channel = row.channel
        changed += 1
        _count(channel, before, after)
    return changed


def _count(channel: str, before: DeliveryState, after: DeliveryState) -> None:
    if after.delivered_at is not None and before.delivered_at is None:
        metrics.DELIVERED.labels(channel).inc()
    if after.read_at is not None and before.read_at is None:
        metrics.READ.labels(channel).inc()
    if after.status == FAILED and before.status != FAILED:
        metrics.FAILED.labels(channel, "receipt").inc()
