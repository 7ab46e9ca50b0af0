"""Queries of the agency digest: agencies kept from the bus, items recorded, digests sealed per window and claimed (DIGESTS); callers own the transaction."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from services.notification.claim_table import ClaimTable
from services.notification.domain.claims import ARMED
from services.notification.models import Agency, AgencyDigest, DigestItem
from shared.db.inserts import dialect_insert

# The agency turned its digest off after the digest was sealed.
DROPPED = "dropped"


def save_agency(session: Session, data: dict[str, Any], now: dt.datetime) -> Agency:
    """agency.updated (or the agency inside agency.bulk_processed): keep the newest snapshot; return the one now stored.

    Turning the digest off drops the changes still waiting for it: the agency asked for no more mail.
    """
    values = {
        "name": data["name"],
        "contact_email": data["contact_email"],
        "digest_enabled": bool(data.get("digest_enabled", True)),
        "locale": data.get("locale") or "id",
        "version_at": data["updated_at"],
        "updated_at": now,
    }
    table = Agency.__table__
    session.execute(dialect_insert(session)(table).values(id=data["agency_id"], **values).on_conflict_do_nothing(index_elements=["id"]))
    session.execute(update(table).where(table.c.id == data["agency_id"], table.c.version_at < data["updated_at"]).values(**values))
    agency = session.get(Agency, data["agency_id"], populate_existing=True)
    if not agency.digest_enabled:
        drop_waiting_items(session, agency.id)
    return agency


def drop_waiting_items(session: Session, agency_id: str) -> int:
    return session.execute(delete(DigestItem).where(DigestItem.agency_id == agency_id, DigestItem.digest_id.is_(None))).rowcount


def record_item(session: Session, item_id: str, item: dict[str, Any], now: dt.datetime) -> bool:
    """Keep one change for the agency's next digest (once per bus event); nothing for an agency that turned it off."""
    agency = session.get(Agency, item["agency_id"])
    if agency is not None and not agency.digest_enabled:
        return False
    row = {
        "id": item_id,
        "agency_id": item["agency_id"],
        "digest_id": None,
        "kind": item["kind"],
        "event_id": item["event_id"],
        "registration_id": item["registration_id"],
        "data": json.dumps(item, ensure_ascii=False),
        "occurred_at": dt.datetime.fromisoformat(item["occurred_at"]),
        "recorded_at": now,
    }
    table = DigestItem.__table__
    # RETURNING, not rowcount: psycopg answers -1 for INSERT … ON CONFLICT DO NOTHING here.
    return (
        session.execute(
            dialect_insert(session)(table).values(**row).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
        ).scalar()
        is not None
    )


def agencies_with_items_before(session: Session, boundary: dt.datetime) -> list[str]:
    """Agencies with a change recorded before `boundary` that no digest has taken yet."""
    query = (
        select(DigestItem.agency_id)
        .where(DigestItem.digest_id.is_(None), DigestItem.recorded_at < boundary)
        .distinct()
        .order_by(DigestItem.agency_id)
    )
    return list(session.scalars(query))


def seal(session: Session, agency_id: str, window: dt.datetime, now: dt.datetime) -> str | None:
    """Create the agency's digest of `window` and give it every waiting item; None when that window already has one.

    The unique (agency, window) key decides between two workers sealing at once: the second insert waits
    for the first to commit and then does nothing, and its items stay for the next window.
    """
    table = AgencyDigest.__table__
    # RETURNING, not rowcount: psycopg answers -1 for INSERT … ON CONFLICT DO NOTHING here.
    digest_id = session.execute(
        dialect_insert(session)(table)
        .values(
            id=str(uuid.uuid4()),
            agency_id=agency_id,
            window_start=window,
            status=ARMED,
            passes=0,
            item_count=0,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["agency_id", "window_start"])
        .returning(table.c.id)
    ).scalar()
    if digest_id is None:
        return None
    taken = session.execute(
        update(DigestItem)
        .where(DigestItem.agency_id == agency_id, DigestItem.digest_id.is_(None))
        .values(digest_id=digest_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.execute(
        update(AgencyDigest).where(AgencyDigest.id == digest_id).values(item_count=taken).execution_options(synchronize_session=False)
    )
    return digest_id


# Sealed digests go out oldest window first; the id breaks ties between agencies in one order on every worker.
DIGESTS = ClaimTable(AgencyDigest, order=(AgencyDigest.window_start, AgencyDigest.id))


def items_of(session: Session, digest_id: str) -> list[dict[str, Any]]:
    return [
        json.loads(data)
        for data in session.scalars(
            select(DigestItem.data).where(DigestItem.digest_id == digest_id).order_by(DigestItem.occurred_at, DigestItem.id)
        )
    ]
