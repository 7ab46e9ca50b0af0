"""Idempotency-Key: the first answer to a key is stored with a fingerprint of the request and replayed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registration.domain.errors import IdempotencyKeyReused
from services.registration.models import IdempotentResponse
from shared.db import utcnow


@dataclass(frozen=True)
class Key:
    """The key an agency sent and the fingerprint of the request it came with."""

    value: str
    fingerprint: str


def fingerprint(method: str, path: str, body: Any) -> str:
    """Same method, path and JSON body (whatever its key order or spacing) give the same fingerprint."""
    canonical = json.dumps([method.upper(), path, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_reply(session: Session, agency_id: str, key: Key) -> tuple[int, dict[str, Any]] | None:
    """The stored answer for `key`, or None; a key reused for a different request is refused."""
    row = session.execute(
        select(IdempotentResponse).where(IdempotentResponse.agency_id == agency_id, IdempotentResponse.key == key.value)
    ).scalar_one_or_none()
    if row is None:
        return None
    if row.request_hash != key.fingerprint:
        raise IdempotencyKeyReused("This Idempotency-Key was already used with a different request; use a new key for a new request.")
    return row.status_code, json.loads(row.body)


def remember(session: Session, agency_id: str, key: Key, status: int, body: dict[str, Any]) -> None:
    session.add(
        IdempotentResponse(
            agency_id=agency_id,
            key=key.value,
            request_hash=key.fingerprint,
            status_code=status,
            body=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
            created_at=utcnow(),
        )
    )
