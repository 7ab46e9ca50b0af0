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

from services.notification import digest_store, operations, store
from services.notification.courier import Courier
from services.notification.domain.digest import (
    AGENCY_DIGEST,
    agency_recipient,
    build_digest,
    letterhead_meeting,
    window_start,
)
from services.notification.domain.messages import EMAIL, plan_messages
from services.notification.models import Agency
from shared.db import read_only, unit_of_work

log = logging.getLogger(__name__)

DEFAULT_MINUTES = 60
# As for reminders: passes a digest gets for its transient failures, and the pause between them.
PASSES = 3
RETRY_AFTER = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class ClaimedDigest:
    id: str
    agency: dict[str, Any]
    items: list[dict[str, Any]]
    passes: int


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


def claim_next(session_factory: operations.SessionFactory, lease: dt.timedelta, now: dt.datetime) -> ClaimedDigest | None:
    """Take the next sealed digest; one whose agency turned the digest off since is closed on the way."""
    with read_only(session_factory) as session:
        if not digest_store.any_claimable(session, now):
            return None
    with unit_of_work(session_factory) as session:
        while (row := digest_store.next_claimable(session, now)) is not None:
            agency = session.get(Agency, row.agency_id)
            if agency is None or not agency.digest_enabled:
                digest_store.close(session, row.id, digest_store.DROPPED, now)
                continue
            digest_store.claim(session, row.id, now, now + lease)
            return ClaimedDigest(row.id, _agency(agency), digest_store.items_of(session, row.id), row.passes + 1)
    return None


def send_digest(session_factory: operations.SessionFactory, courier: Courier, digest: ClaimedDigest) -> str:
    """One pass over a claimed digest: its one mail created once and sent unless already sent; returns the digest's status after it."""
    lease = dt.timedelta(seconds=courier.channels.lease_seconds)
    retries_left = digest.passes < PASSES
    content = build_digest(digest.items)
    [message] = plan_messages(AGENCY_DIGEST, [agency_recipient(digest.agency)], (EMAIL,))
    now = utcnow()
    with unit_of_work(session_factory) as session:
        row = operations.notification_row(
            digest.id, AGENCY_DIGEST, message, letterhead_meeting(content["meetings"]), {"digest": content}, now, now + lease
        )
        rows = store.insert_claimed_once(session, [row]) or store.claim_sendable(session, digest.id, now, now + lease)
    operations.send_claims(session_factory, courier, [operations.claim_from_row(r) for r in rows], retries_left=retries_left)
    now = utcnow()
    with unit_of_work(session_factory) as session:
        if store.count_unsettled(session, digest.id, []) and retries_left:
            digest_store.hold(session, digest.id, now, now + RETRY_AFTER)
            return digest_store.SENDING
        digest_store.close(session, digest.id, digest_store.SENT, now)
    return digest_store.SENT


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
    taken = 0
    while not should_stop() and (digest := claim_next(session_factory, lease, clock())) is not None:
        taken += 1
        status = send_digest(session_factory, courier, digest)
        log.info(
            "agency digest %s of %s (%d changes), pass %d: %s",
            digest.id,
            digest.agency["agency_id"],
            len(digest.items),
            digest.passes,
            status,
        )
    return taken
