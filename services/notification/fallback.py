"""The SMS fallback of WhatsApp: one SMS in place of a WhatsApp message that failed or was not delivered in time.

Runs in every worker's scheduler thread, next to reminders. Exactly once, however many workers:
the WhatsApp row's `fallback` goes armed -> done in the same transaction that inserts the SMS row
(source event, `sms`, phone: the unique key of every notification), and only the worker whose
update changed the row sends. The SMS row is created claimed; if that worker dies before the
outcome is written, its claim expires and a later pass of any worker takes it over, as it does an
SMS whose send failed for a moment (30 s apart, `PASSES` tries, then `dead` for a manual re-drive).
While a pass is still sending, it renews the leases of the SMS it holds, so a slow batch is never
taken over (and sent a second time) by another worker.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

from services.notification import operations, store
from services.notification.courier import Claim, Courier
from services.notification.domain.delivery import SENDING, DeliveryResult
from services.notification.domain.messages import SMS
from services.notification.domain.receipts import needs_sms_fallback
from services.notification.leases import LeaseKeeper
from shared.db import unit_of_work, utcnow

log = logging.getLogger(__name__)

PASSES = 3
RETRY_AFTER = dt.timedelta(seconds=30)


def _sms_row(whatsapp, now: dt.datetime, lease_until: dt.datetime) -> dict:
    context = json.loads(whatsapp.context)
    context["channel"] = SMS
    return {
        "id": str(uuid.uuid4()),
        "source_event_id": whatsapp.source_event_id,
        "source_event_type": whatsapp.source_event_type,
        "kind": whatsapp.kind,
        "channel": SMS,
        "recipient": whatsapp.recipient,
        "registration_id": whatsapp.registration_id,
        "event_id": whatsapp.event_id,
        "locale": whatsapp.locale,
        "status": SENDING,
        "claimed_until": lease_until,
        "context": json.dumps(context, ensure_ascii=False),
        "attempt_count": 0,
        "fallback_for": whatsapp.id,
        "created_at": now,
        "updated_at": now,
    }


def arm_due_fallbacks(session_factory: operations.SessionFactory, minutes: float, lease_seconds: float) -> list[Claim]:
    """One short transaction: create (claimed) the SMS of every WhatsApp message whose fallback is due."""
    now = utcnow()
    lease_until = now + dt.timedelta(seconds=lease_seconds)
    with unit_of_work(session_factory) as session:
        rows = []
        for whatsapp in store.due_fallbacks(session, now, minutes):
            if not needs_sms_fallback(whatsapp.status, whatsapp.created_at, now, minutes) or not store.disarm_fallback(
                session, whatsapp.id
            ):
                continue
            log.info("notification %s (whatsapp, %s): SMS fallback", whatsapp.id, whatsapp.status)
            # A meeting asking for both sms and sms_fallback already has this SMS: the unique key inserts nothing.
            rows += store.insert_claimed_once(session, [_sms_row(whatsapp, now, lease_until)])
    return [operations.claim_from_row(row) for row in rows]


def send_due_fallbacks(session_factory: operations.SessionFactory, courier: Courier) -> int:
    """Create the due fallbacks, take over stand-ins left unsent, send them all; returns how many were sent."""
    channels = courier.channels
    claims = arm_due_fallbacks(session_factory, channels.whatsapp_fallback_minutes, channels.lease_seconds)
    now = utcnow()
    with unit_of_work(session_factory) as session:
        again = store.claim_fallback_sms(session, now, now + dt.timedelta(seconds=channels.lease_seconds), now - RETRY_AFTER)
    claims += [operations.claim_from_row(row) for row in again]
    if not claims:
        return 0
    # A pass may hold up to a batch of SMS (200) sent through a few threads against a gateway
    # timeout each: that can outlast the lease, and another worker's pass would take over the
    # claims still waiting here and send them too. Held claims are renewed until their outcome is written.
    keeper = LeaseKeeper(session_factory, [claim.id for claim in claims], channels.lease_seconds)
    keeper.start()

    def send_one(claim: Claim) -> tuple[str, DeliveryResult]:
        try:
            return operations.send_and_record(session_factory, courier, claim, retries_left=claim.attempt_number < PASSES)
        finally:
            keeper.release(claim.id)

    try:
        outcomes = list(courier.executor.map(send_one, claims))
    finally:
        keeper.stop()
    return sum(1 for status, _ in outcomes if status == "sent")
