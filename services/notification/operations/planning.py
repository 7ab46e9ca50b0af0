"""Planning: update contacts, create an event's notification rows once and claim those still to send, in one short transaction."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from services.notification import audience, digest_store, store
from services.notification.courier import Claim
from services.notification.domain.delivery import SENDING
from services.notification.domain.digest import AGENCY_KIND_BY_EVENT, digest_item
from services.notification.domain.messages import EMAIL, KIND_BY_EVENT, PlannedMessage, build_context, plan_messages
from services.notification.operations.common import SessionFactory
from shared.db import unit_of_work, utcnow
from shared.messaging.errors import TransientError


def notification_row(
    event_id: str,
    event_type: str,
    message: PlannedMessage,
    meeting: dict[str, Any],
    extra: dict[str, Any],
    now: dt.datetime,
    lease_until: dt.datetime,
) -> dict[str, Any]:
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
    return Claim(
        id=row.id,
        channel=row.channel,
        recipient=row.recipient,
        kind=row.kind,
        context=json.loads(row.context),
        attempt_number=row.attempt_count + 1,
    )


def plan_and_claim(
    session_factory: SessionFactory, event_id: str, event_type: str, data: dict[str, Any], occurred_at: dt.datetime, lease_seconds: float
) -> tuple[list[Claim], bool]:
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
        rows = store.insert_claimed_once(
            session, [notification_row(event_id, event_type, m, meeting, extra, now, lease_until) for m in planned]
        )
        if len(rows) < len(planned):
            # A redelivery: some rows exist; take those still to send (not the ones inserted just now).
            inserted = {row.id for row in rows}
            rows += [row for row in store.claim_sendable(session, event_id, now, lease_until) if row.id not in inserted]
    return [claim_from_row(row) for row in rows], len(rows) == len(planned)
