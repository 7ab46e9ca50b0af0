"""How a delivery attempt ended and what that makes of the notification: sent, retried later, failed, or dead."""

from __future__ import annotations

from dataclasses import dataclass

PENDING, SENDING, SENT, RETRYING, FAILED, DEAD = "pending", "sending", "sent", "retrying", "failed", "dead"
# Reached by delivery receipts after `sent` (domain/receipts.py).
DELIVERED, READ = "delivered", "read"
STATUSES = (PENDING, SENDING, SENT, DELIVERED, READ, RETRYING, FAILED, DEAD)
# Not final yet: a later delivery of the same bus message sends these.
SENDABLE = (PENDING, RETRYING)
# What a bus delivery claims: also `dead` rows, because their message was dead-lettered (never marked
# processed) and comes back only when the operator re-drives the dead-letter queue. A claim left in
# `sending` past its lease (a crashed worker) is taken over as well.
BUS_CLAIMABLE = SENDABLE + (DEAD,)
# The operator may re-drive these by hand.
REDRIVABLE = (FAILED, DEAD)

OUTCOME_SENT, OUTCOME_TRANSIENT, OUTCOME_PERMANENT = "sent", "transient", "permanent"


class DeliveryFailure(Exception):
    """A channel could not hand the message over; subclasses say whether trying again can help."""

    outcome = OUTCOME_TRANSIENT

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TransientFailure(DeliveryFailure):
    """SMTP 4xx, a lost connection, a timeout, SMS 429/5xx: worth trying again later."""

    outcome = OUTCOME_TRANSIENT


class PermanentFailure(DeliveryFailure):
    """SMTP 5xx, SMS 4xx: the provider refused this message for good."""

    outcome = OUTCOME_PERMANENT


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one attempt, as recorded."""

    outcome: str
    provider_id: str | None = None
    error: str | None = None
    retry_after: float | None = None
    segments: int | None = None


def status_after(outcome: str, *, retries_left: bool) -> str:
    """The notification's status after an attempt ended with `outcome`."""
    if outcome == OUTCOME_SENT:
        return SENT
    if outcome == OUTCOME_PERMANENT:
        return FAILED
    return RETRYING if retries_left else DEAD


def lease_renewal_interval(lease_seconds: float) -> float:
    """How often a sender renews the lease on the notifications it still holds: three times per lease,
    so one late renewal (a slow database, a busy SQLite lock) still lands before the lease runs out."""
    return lease_seconds / 3
