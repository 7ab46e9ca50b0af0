"""Use cases of the notification service: keep contacts, plan notifications, send them, re-drive them, report.

The database and the providers never overlap in time: rows are created and claimed in one short
transaction, the message is sent with no transaction open, and the outcome is written in another
short transaction right after. On SQLite every transaction is a serialized writer, so holding one
across an SMTP conversation would stall every other sender.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from sqlalchemy.orm import Session

from services.notification import audience, delivery_receipts, digest_store, metrics, store
from services.notification.courier import Claim, Courier
from services.notification.leases import LeaseKeeper
from services.notification.domain.delivery import (
    DEAD,
    FAILED,
    OUTCOME_TRANSIENT,
    REDRIVABLE,
    RETRYING,
    SENDING,
    SENT,
    DeliveryResult,
    status_after,
)
from services.notification.domain.check_in import CLEAR, WAIT, on_check_in_reverted
from services.notification.domain.digest import AGENCY_KIND_BY_EVENT, digest_item
from services.notification.domain.messages import EMAIL, KIND_BY_EVENT, PlannedMessage, build_context, plan_messages
from services.notification.models import Contact, Notification
from shared.db import read_only, unit_of_work, utcnow
from shared.messaging.errors import TransientError

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]


class NotificationNotFound(LookupError):
    """No notification has this id."""


class RegistrationUnknown(NotificationNotFound):
    """Nothing was ever sent to this registration and no contact of it exists."""


class NotRedrivable(Exception):
    """Only failed or dead notifications can be re-driven; this one is sent or in progress."""

    def __init__(self, status: str):
        super().__init__(f"notification is {status}; only failed or dead notifications can be retried")
        self.status = status


# --- read models (no messages) ---------------------------------------------------------------


def record_meeting(session: Session, meeting: dict[str, Any]) -> dict[str, Any]:
    """event.created / event.updated: keep the newest snapshot of the meeting."""
    return store.save_meeting(session, meeting, utcnow())


def record_check_in(session: Session, event_id: str, data: dict[str, Any], occurred_at: dt.datetime) -> None:
    """registration.checked_in: noted on the contact and kept for the agency's digest; no message goes out."""
    registration_id = data["registration_id"]
    contact = session.get(Contact, registration_id)
    if contact is None:
        # Handlers run in parallel, so the check-in can overtake the confirmation; try again shortly.
        raise TransientError(f"registration {registration_id} not known yet")
    now = utcnow()
    contact.checked_in_at, contact.updated_at = data["at"], now
    person = {"full_name": contact.full_name, "position": contact.position}
    item = digest_item("registration.checked_in", {**data, "attendance_mode": contact.attendance_mode}, occurred_at, person=person, meeting=store.load_meeting(session, contact.event_id))
    if item is not None:
        digest_store.record_item(session, event_id, item, now)


def record_agency(session: Session, data: dict[str, Any]) -> None:
    """agency.updated: where the agency's mail goes and whether it goes at all; no message goes out."""
    digest_store.save_agency(session, data, utcnow())


def clear_check_in(session: Session, registration_id: str, reverted: dt.datetime | None) -> None:
    """registration.check_in_reverted: the door undid the check-in made at `reverted`; no message goes out.

    The rule (domain/check_in.py): while the check-in it undoes is not on the contact yet, try again
    shortly; a later check-in (a new scan after the undo) stays.
    """
    contact = session.get(Contact, registration_id)
    if contact is None:
        raise TransientError(f"registration {registration_id} not known yet")
    decision = on_check_in_reverted(contact.checked_in_at, reverted)
    if decision == WAIT:
        raise TransientError(f"check-in of registration {registration_id} not seen yet")
    if decision == CLEAR:
        contact.checked_in_at, contact.updated_at = None, utcnow()


def record_link_revoked(session: Session, registration_id: str, at: dt.datetime) -> None:
    """stream.link_revoked: later messages stop showing the link; no message goes out."""
    contact = session.get(Contact, registration_id)
    if contact is not None:
        contact.link_revoked_at, contact.updated_at = at, utcnow()


# --- planning -----------------------------------------------------------------------------------


def notification_row(event_id: str, event_type: str, message: PlannedMessage, meeting: dict[str, Any], extra: dict[str, Any], now: dt.datetime, lease_until: dt.datetime) -> dict[str, Any]:
    context = build_context(message, meeting, extra=extra)
    return {
        "id": str(uuid.uuid4()),
        "source_event_id": event_id,
        "source_event_type": event_type,
        "kind": message.kind,
        "channel": message.channel,
        "recipient": message.address,
        "registration_id": message.recipient.registration_id,
        "event_id": meeting["id"],
        "locale": context["locale"],
        # Created claimed by this delivery, which sends it right after the commit.
        "status": SENDING,
        "claimed_until": lease_until,
        "context": json.dumps(context, ensure_ascii=False),
        "attempt_count": 0,
        "fallback": "armed" if message.sms_fallback else None,
        "created_at": now,
        "updated_at": now,
    }


def claim_from_row(row: Any) -> Claim:
    return Claim(id=row.id, channel=row.channel, recipient=row.recipient, kind=row.kind, context=json.loads(row.context), attempt_number=row.attempt_count + 1)


def plan_and_claim(session_factory: SessionFactory, event_id: str, event_type: str, data: dict[str, Any], occurred_at: dt.datetime, lease_seconds: float) -> tuple[list[Claim], bool]:
    """One short transaction: update contacts, create this event's notifications once, claim those still to send.

    Also says whether the claims are all of the event's notifications (the usual first delivery).
    """
    with unit_of_work(session_factory) as session:
        recipients, meeting, extra = audience.update_and_find_audience(session, event_type, data, occurred_at)
        if recipients and meeting is None:
            raise TransientError(f"meeting {data.get('event_id')} not known yet")
        now = utcnow()
        lease_until = now + dt.timedelta(seconds=lease_seconds)
        if event_type in AGENCY_KIND_BY_EVENT:
            # Mail to the agency's contact: email only, whatever channels the meeting uses for its participants.
            planned = plan_messages(AGENCY_KIND_BY_EVENT[event_type], recipients, (EMAIL,))
        else:
            planned = plan_messages(KIND_BY_EVENT[event_type], recipients, (meeting or {}).get("channels"))
        # The agency's digest is built from the same events, recorded in the same transaction.
        item = digest_item(event_type, data, occurred_at)
        if item is not None:
            digest_store.record_item(session, event_id, item, now)
        rows = store.insert_claimed_once(session, [notification_row(event_id, event_type, m, meeting, extra, now, lease_until) for m in planned])
        if len(rows) < len(planned):
            # A redelivery: some rows exist; take those still to send (not the ones inserted just now).
            inserted = {row.id for row in rows}
            rows += [row for row in store.claim_sendable(session, event_id, now, lease_until) if row.id not in inserted]
    return [claim_from_row(row) for row in rows], len(rows) == len(planned)


# --- sending ------------------------------------------------------------------------------------


def record_outcome(session: Session, claim: Claim, result: DeliveryResult, started_at: dt.datetime, *, retries_left: bool) -> str:
    """Write the attempt and the notification's new status; return that status."""
    now = utcnow()
    status = status_after(result.outcome, retries_left=retries_left)
    store.record_attempt(
        session, claim.id, claim.attempt_number, started_at, now, result.outcome, result.error, result.provider_id,
        status=status, segments=result.segments, sent_at=now if status == SENT else None,
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
        log.warning("notification %s (%s %s) attempt %d: %s -> %s", claim.id, claim.kind, claim.channel, claim.attempt_number, result.error, status)


def send_in_turn(session_factory: SessionFactory, courier: Courier, claims: list[Claim], *, retries_left: bool, final_session: Session | None = None) -> list[tuple[str, DeliveryResult]]:
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
    for (claim, _, result), status in zip(sent, statuses):
        _log_failure(claim, result, status)
    return [(status, result) for (_, _, result), status in zip(sent, statuses)]


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


# --- reports --------------------------------------------------------------------------------------


def find_notification(session_factory: SessionFactory, notification_id: str) -> Notification:
    with read_only(session_factory) as session:
        notification = store.get_notification(session, notification_id)
        # read_only ends in a rollback, which would expire the loaded rows; keep them as read.
        session.expunge_all()
    if notification is None:
        raise NotificationNotFound(notification_id)
    return notification


def list_notifications(session_factory: SessionFactory, filters: dict[str, Any], limit: int, cursor: tuple[dt.datetime, str] | None) -> list[Notification]:
    with read_only(session_factory) as session:
        items = store.list_notifications(session, filters, limit, cursor)
        session.expunge_all()
        return items


def notification_stats(session_factory: SessionFactory, event_id: str | None = None) -> dict[str, Any]:
    """Counts by status and by channel, plus the number of attempts."""
    with read_only(session_factory) as session:
        rows = store.count_by_channel_and_status(session, event_id)
        attempts = store.count_attempts(session, event_id)
        delivered, read = store.count_receipts(session, event_id)
    by_status: dict[str, int] = {}
    by_channel: dict[str, dict[str, int]] = {}
    for channel, status, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        by_channel.setdefault(channel, {})[status] = count
    return {"total": sum(by_status.values()), "by_status": by_status, "by_channel": by_channel, "attempts": attempts, "delivered": delivered, "read": read}


def registration_ledger(session_factory: SessionFactory, registration_id: str) -> list[Notification]:
    """Everything sent to one participant, in order; RegistrationUnknown when nothing ever was and no contact exists."""
    with read_only(session_factory) as session:
        items = store.registration_ledger(session, registration_id)
        known = bool(items) or session.get(Contact, registration_id) is not None
        session.expunge_all()
    if not known:
        raise RegistrationUnknown(registration_id)
    return items
