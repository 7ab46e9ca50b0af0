"""Sending: deliver claimed notifications, write their outcomes, re-drive them; `notify` is everything one bus event causes.

The database and the providers never overlap in time: rows are created and claimed in one short
transaction, the message is sent with no transaction open, and the outcome is written in another
short transaction right after. On SQLite every transaction is a serialized writer, so holding one
across an SMTP conversation would stall every other sender.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session

from services.notification import delivery_receipts, metrics, store
from services.notification.courier import Claim, Courier
from services.notification.domain.delivery import (
    DEAD,
    FAILED,
    OUTCOME_TRANSIENT,
    REDRIVABLE,
    RETRYING,
    SENT,
    DeliveryResult,
    status_after,
)
from services.notification.leases import LeaseKeeper
from services.notification.models import Notification
from services.notification.operations.common import NotificationNotFound, SessionFactory
from services.notification.operations.planning import claim_from_row, plan_and_claim
from services.notification.operations.reports import find_notification
from shared.db import read_only, unit_of_work, utcnow
from shared.messaging.errors import TransientError

log = logging.getLogger(__name__)


class NotRedrivable(Exception):
    """Only failed or dead notifications can be re-driven; this one is sent or in progress."""

    def __init__(self, status: str):
        super().__init__(f"notification is {status}; only failed or dead notifications can be retried")
        self.status = status


def record_outcome(session: Session, claim: Claim, result: DeliveryResult, started_at: dt.datetime, *, retries_left: bool) -> str:
    """Write the attempt and the notification's new status; return that status."""
    now = utcnow()
    status = status_after(result.outcome, retries_left=retries_left)
    store.record_attempt(
        session,
        claim.id,
        claim.attempt_number,
        started_at,
        now,
        result.outcome,
        result.error,
        result.provider_id,
        status=status,
        segments=result.segments,
        sent_at=now if status == SENT else None,
    )
    if status == SENT and result.provider_id:
        delivery_receipts.apply_early_receipts(session, claim.id, result.provider_id, claim.channel)
    _count(claim.channel, claim.kind, status)
    return status


def _count(channel: str, kind: str, status: str) -> None:
    if status == SENT:
        metrics.SENT.labels(channel, kind).inc()
    elif status == RETRYING:
        metrics.RETRIED.labels(channel).inc()
    elif status in (FAILED, DEAD):
        metrics.FAILED.labels(channel, "permanent" if status == FAILED else "dead").inc()


def send_and_record(session_factory: SessionFactory, courier: Courier, claim: Claim, *, retries_left: bool) -> tuple[str, DeliveryResult]:
    """Send one claimed notification (no transaction open), then commit its outcome in a short transaction."""
    started_at = utcnow()
    result = courier.deliver(claim)
    with unit_of_work(session_factory) as session:
        status = record_outcome(session, claim, result, started_at, retries_left=retries_left)
    _log_failure(claim, result, status)
    return status, result


def _log_failure(claim: Claim, result: DeliveryResult, status: str) -> None:
    if result.error:
        log.warning(
            "notification %s (%s %s) attempt %d: %s -> %s", claim.id, claim.kind, claim.channel, claim.attempt_number, result.error, status
        )


def send_in_turn(
    session_factory: SessionFactory, courier: Courier, claims: list[Claim], *, retries_left: bool, final_session: Session | None = None
) -> list[tuple[str, DeliveryResult]]:
    """Send the one or two messages of a registration event in this thread, then write the outcomes together.

    When every outcome is final (sent, failed) they go into `final_session`, the handler's unit of
    work that the runner commits with the processed mark right away: one transaction less per
    message. Otherwise they commit on their own first, because the runner rolls the handler's
    session back when we ask for a retry. Writing only after the last send matters on SQLite: the
    handler's session holds the write lock from its first write until the runner commits.
    """
    sent = []
    for claim in claims:
        started_at = utcnow()
        sent.append((claim, started_at, courier.deliver(claim)))
    if final_session is not None and all(result.outcome != OUTCOME_TRANSIENT for _, _, result in sent):
        statuses = [record_outcome(final_session, claim, result, started, retries_left=retries_left) for claim, started, result in sent]
    else:
        with unit_of_work(session_factory) as session:
            statuses = [record_outcome(session, claim, result, started, retries_left=retries_left) for claim, started, result in sent]
    for (claim, _, result), status in zip(sent, statuses, strict=False):
        _log_failure(claim, result, status)
    return [(status, result) for (_, _, result), status in zip(sent, statuses, strict=False)]


def send_claims(
    session_factory: SessionFactory,
    courier: Courier,
    claims: list[Claim],
    *,
    retries_left: bool,
    executor: ThreadPoolExecutor | None = None,
    final_session: Session | None = None,
) -> list[tuple[str, DeliveryResult]]:
    """Send every claim; a fan-out goes through `executor` so one meeting update does not take N round trips in a row.

    Fan-out outcomes are committed one by one as they come, so a crash half-way resends nothing
    that was already sent; the claims not sent yet keep their lease while the fan-out runs.
    """
    if len(claims) <= 2 or executor is None:
        return send_in_turn(session_factory, courier, claims, retries_left=retries_left, final_session=final_session)
    keeper = LeaseKeeper(session_factory, [claim.id for claim in claims], courier.channels.lease_seconds)
    keeper.start()

    def send_one(claim: Claim) -> tuple[str, DeliveryResult]:
        try:
            return send_and_record(session_factory, courier, claim, retries_left=retries_left)
        finally:
            keeper.release(claim.id)

    try:
        return list(executor.map(send_one, claims))
    finally:
        keeper.stop()


def notify(
    session_factory: SessionFactory,
    courier: Courier,
    event_id: str,
    event_type: str,
    data: dict[str, Any],
    occurred_at: dt.datetime,
    *,
    attempt: int,
    executor: ThreadPoolExecutor | None = None,
    final_session: Session | None = None,
) -> list[str]:
    """Everything one bus event causes: plan, send what is not sent yet, and ask for a retry while anything is left."""
    channels = courier.channels
    retries_left = attempt <= len(channels.retry_delays)
    claims, claimed_all = plan_and_claim(session_factory, event_id, event_type, data, occurred_at, channels.lease_seconds)
    outcomes = send_claims(session_factory, courier, claims, retries_left=retries_left, executor=executor, final_session=final_session)
    statuses = [status for status, _ in outcomes]
    waiting = [result for status, result in outcomes if status == RETRYING]
    if waiting:
        retry_after = max((r.retry_after or 0.0 for r in waiting), default=0.0) or None
        raise TransientError(f"{len(waiting)} of {len(claims)} notifications will be retried: {waiting[0].error}", retry_after=retry_after)
    if not all(status != DEAD for status in statuses):
        # The last retry is used up: the rows say `dead` (re-drivable by the operator); the bus message dead-letters too.
        raise TransientError(f"{statuses.count(DEAD)} notifications are dead after {attempt} attempts")
    if not claimed_all:
        with read_only(session_factory) as session:
            # Rows another delivery of this same event still holds: acking now would lose their retry.
            if store.count_unsettled(session, event_id, [claim.id for claim in claims]):
                raise TransientError("notifications of this event are still being sent by another delivery")
    return statuses


def redrive(session_factory: SessionFactory, courier: Courier, notification_id: str) -> Notification:
    """POST /v1/notifications/{id}/retry: send a failed or dead notification once more, now."""
    now = utcnow()
    with unit_of_work(session_factory) as session:
        row = store.claim_one(session, notification_id, REDRIVABLE, now, now + dt.timedelta(seconds=courier.channels.lease_seconds))
        if row is None:
            existing = session.get(Notification, notification_id)
            if existing is None:
                raise NotificationNotFound(notification_id)
            raise NotRedrivable(existing.status)
    claim = claim_from_row(row)
    # No automatic retries follow a manual one: a transient failure leaves it dead for the next re-drive.
    send_and_record(session_factory, courier, claim, retries_left=False)
    return find_notification(session_factory, notification_id)
