"""Sending the agency digests: seal each agency's waiting changes into one digest per window, then send each digest once.

Runs in the worker's scheduler thread beside the reminders, with the same guarantees and the same
mechanism: a digest row is claimed under a lease (FOR UPDATE SKIP LOCKED), its mail is a notification
row whose source is the digest's id, so the unique (source, channel, recipient) key sends it once however
many workers run and however often it is claimed again after a crash. Sealing is once per (agency,
window) by a unique key; changes recorded meanwhile wait for the next window, so none is lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.notification import claiming, digest_store, operations, store
from services.notification.courier import Courier
from services.notification.digest_store import DIGESTS
from services.notification.domain.claims import Declined, retries_left, send_one_by_one
from services.notification.domain.digest import (
    AGENCY_DIGEST,
    agency_recipient,
    build_digest,
    letterhead_meeting,
    window_start,
)
from services.notification.domain.messages import EMAIL, plan_messages
from services.notification.models import Agency, AgencyDigest
from shared.db import read_only, unit_of_work, utcnow

log = logging.getLogger(__name__)

DEFAULT_MINUTES = 60


@dataclass(frozen=True)
class ClaimedDigest:
    id: str
    agency: dict[str, Any]
    items: list[dict[str, Any]]
    passes: int


def _agency(row: Agency) -> dict[str, Any]:
    return {"agency_id": row.id, "name": row.name, "contact_email": row.contact_email, "locale": row.locale}


def seal_due_digests(session_factory: operations.SessionFactory, minutes: int, now: dt.datetime) -> int:
    """Give every agency with changes recorded before the current window its digest of this window; returns how many were made.

    Agencies not known yet (no agency.updated seen) keep their changes until they are; agencies that
    turned the digest off lose theirs.
    """
    boundary = window_start(now, minutes)
    # Every worker polls every second: look before taking a writer's transaction (on SQLite, the write lock).
    with read_only(session_factory) as session:
        if not digest_store.agencies_with_items_before(session, boundary):
            return 0
    sealed = 0
    with unit_of_work(session_factory) as session:
        # In one order on every worker: two sealers wait on each other's keys without deadlocking.
        for agency_id in sorted(digest_store.agencies_with_items_before(session, boundary)):
            agency = session.get(Agency, agency_id)
            if agency is None:
                continue
            if not agency.digest_enabled:
                digest_store.drop_waiting_items(session, agency_id)
                continue
            if digest_store.seal(session, agency_id, boundary, now):
                sealed += 1
    return sealed


def _admit(session: Session, row: AgencyDigest, now: dt.datetime) -> ClaimedDigest | Declined:
    """Send the digest only while its agency still asks for one."""
    agency = session.get(Agency, row.agency_id)
    if agency is None or not agency.digest_enabled:
        return Declined(digest_store.DROPPED)
    return ClaimedDigest(row.id, _agency(agency), digest_store.items_of(session, row.id), row.passes + 1)


def claim_next(session_factory: operations.SessionFactory, lease: dt.timedelta, now: dt.datetime) -> ClaimedDigest | None:
    """Take the next sealed digest; one whose agency turned the digest off since is closed on the way."""
    # As when sealing: look first, most polls find nothing to send.
    with read_only(session_factory) as session:
        if not DIGESTS.any_claimable(session, now):
            return None
    return claiming.take_next(session_factory, DIGESTS, lease, now, _admit)


def send_digest(session_factory: operations.SessionFactory, courier: Courier, digest: ClaimedDigest) -> str:
    """One pass over a claimed digest: its one mail created once and sent unless already sent; returns the digest's status after it."""
    lease = dt.timedelta(seconds=courier.channels.lease_seconds)
    more_passes = retries_left(digest.passes)
    content = build_digest(digest.items)
    [message] = plan_messages(AGENCY_DIGEST, [agency_recipient(digest.agency)], (EMAIL,))
    now = utcnow()
    with unit_of_work(session_factory) as session:
        row = operations.notification_row(
            digest.id, AGENCY_DIGEST, message, letterhead_meeting(content["meetings"]), {"digest": content}, now, now + lease
        )
        rows = store.insert_claimed_once(session, [row]) or store.claim_sendable(session, digest.id, now, now + lease)
    operations.send_claims(session_factory, courier, [operations.claim_from_row(r) for r in rows], retries_left=more_passes)
    return claiming.finish_pass(session_factory, DIGESTS, digest.id, more_passes)


def send_due_digests(
    session_factory: operations.SessionFactory,
    courier: Courier,
    minutes: int = DEFAULT_MINUTES,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], dt.datetime] = utcnow,
) -> int:
    """Seal what is due and send every sealed digest, one after another; returns how many were taken."""
    seal_due_digests(session_factory, minutes, clock())
    lease = dt.timedelta(seconds=courier.channels.lease_seconds)
    return send_one_by_one(
        lambda: claim_next(session_factory, lease, clock()),
        lambda digest: send_digest(session_factory, courier, digest),
        _report,
        should_stop,
    )


def _report(digest: ClaimedDigest, status: str) -> None:
    log.info(
        "agency digest %s of %s (%d changes), pass %d: %s", digest.id, digest.agency["agency_id"], len(digest.items), digest.passes, status
    )
