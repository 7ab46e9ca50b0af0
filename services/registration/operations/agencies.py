"""Agencies and their API keys."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registration.models import Agency
from services.registration.operations.reading import reading
from services.registration.operations.writing import writing
from shared.web.auth import hash_secret, new_secret

API_KEY_PREFIX = "rk_"


def create_agency(session_factory: Callable[[], Session], data: dict[str, Any]) -> tuple[Agency, str]:
    """Create an agency and return it with its new API key (the only time the key is known)."""
    api_key = new_secret(API_KEY_PREFIX)
    with writing(session_factory) as session:
        agency = Agency(
            id=str(uuid.uuid4()),
            name=data["name"],
            kind=data["kind"],
            contact_email=data["contact_email"],
            api_key_hash=hash_secret(api_key),
            created_at=dt.datetime.now(dt.timezone.utc),
        )
        session.add(agency)
    return agency, api_key


def list_agencies(session_factory: Callable[[], Session]) -> list[Agency]:
    with reading(session_factory) as session:
        return list(session.execute(select(Agency).order_by(Agency.name, Agency.id)).scalars())


def find_agency_by_key(session_factory: Callable[[], Session], api_key: str) -> Agency | None:
    with reading(session_factory) as session:
        return session.execute(select(Agency).where(Agency.api_key_hash == hash_secret(api_key))).scalar_one_or_none()
