"""Delivery receipts from WhatsApp and the SMS gateway: what a reported status makes of a notification.

Providers send receipts more than once and out of order (a `read` before its `delivered`), so a
receipt only ever moves a notification forward: sent < delivered < read. `failed` is taken only
from `sent` (a message reported delivered or read has reached the phone; a late failure of it is
noise). Times are kept whatever the order: a late `delivered` still fills `delivered_at`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from services.notification.domain.delivery import DEAD, DELIVERED, FAILED, READ, SENT

RECEIPT_STATUSES = ("sent", DELIVERED, READ, FAILED)
_RANK = {SENT: 1, DELIVERED: 2, READ: 3}


@dataclass(frozen=True)
class Receipt:
    """One status a provider reported for one of its message ids."""

    provider_id: str
    status: str  # sent | delivered | read | failed
    at: dt.datetime
    reason: str | None = None


@dataclass(frozen=True)
class DeliveryState:
    status: str
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    last_error: str | None = None


def apply_receipt(state: DeliveryState, receipt: Receipt) -> DeliveryState:
    """The notification's delivery state after `receipt`; the same state when it changes nothing."""
    if receipt.status == FAILED:
        if state.status != SENT:
            return state
        return DeliveryState(
            FAILED, state.delivered_at, state.read_at, f"provider reported failure: {receipt.reason or 'no reason given'}"[:1000]
        )
    if state.status not in _RANK or receipt.status not in _RANK:
        # Still being sent, retried, failed or dead: a receipt does not rewrite what the sender decided.
        return state
    status = receipt.status if _RANK[receipt.status] > _RANK[state.status] else state.status
    delivered_at, read_at = state.delivered_at, state.read_at
    if receipt.status in (DELIVERED, READ) and delivered_at is None:
        # Read implies delivered; a later `delivered` receipt cannot be earlier than this anyway.
        delivered_at = receipt.at
    if receipt.status == READ and read_at is None:
        read_at = receipt.at
    return DeliveryState(status, delivered_at, read_at, state.last_error)


# The SMS fallback of a WhatsApp message: at once when WhatsApp failed for good, never once it reached
# the phone, otherwise when it has not been delivered `WHATSAPP_FALLBACK_MINUTES` after it was planned
# (still retrying, or sent without a receipt).
FALLBACK_AT_ONCE = (FAILED, DEAD)
FALLBACK_NEVER = (DELIVERED, READ)


def needs_sms_fallback(status: str, created_at: dt.datetime, now: dt.datetime, minutes: float) -> bool:
    if status in FALLBACK_AT_ONCE:
        return True
    return status not in FALLBACK_NEVER and now - created_at >= dt.timedelta(minutes=minutes)


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """HMAC-SHA256 of the raw body with `secret`, hex, as `sha256=<hex>` (Meta) or bare hex; constant-time compare.

    No secret configured means no receipt can be trusted: every signature is refused.
    """
    if not secret or not header:
        return False
    given = header.strip()
    if given.lower().startswith("sha256="):
        given = given[len("sha256=") :]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given.lower().encode(), expected.encode())
