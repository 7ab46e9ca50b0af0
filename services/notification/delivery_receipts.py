"""A provider's receipt applied to the notification row it names, in the caller's transaction.

Shared by the receipt webhooks (receipts.py) and the send path (operations.record_outcome), which
applies the receipts that arrived before its outcome was committed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.notification import metrics, store
from services.notification.domain.delivery import FAILED
from services.notification.domain.receipts import DeliveryState, Receipt, apply_receipt
from shared.db import utcnow


def apply_early_receipts(session: Session, notification_id: str, provider_id: str, channel: str) -> int:
    """Apply the receipts that came before this notification's send outcome; called in the transaction recording it."""
    early = store.take_early_receipts(session, provider_id, channel)
    if not early:
        return 0
    row = store.lock_notification(session, notification_id)
    return sum(apply_to_row(row, receipt) for receipt in early)


def apply_to_row(row, receipt: Receipt) -> int:
    """Move the locked row forward by one receipt; 1 when it changed, 0 when the receipt changed nothing."""
    before = DeliveryState(row.status, row.delivered_at, row.read_at, row.last_error)
    after = apply_receipt(before, receipt)
    if after == before:
        return 0
    row.status, row.delivered_at, row.read_at, row.last_error = after.status, after.delivered_at, after.read_at, after.last_error
    row.updated_at = utcnow()
    _count(row.channel, before, after)
    return 1


def _count(channel: str, before: DeliveryState, after: DeliveryState) -> None:
    if after.delivered_at is not None and before.delivered_at is None:
        metrics.DELIVERED.labels(channel).inc()
    if after.read_at is not None and before.read_at is None:
        metrics.READ.labels(channel).inc()
    if after.status == FAILED and before.status != FAILED:
        metrics.FAILED.labels(channel, "receipt").inc()
