"""A notification worker without the broker: real database, real SMTP server, real SMS gateway, process_message."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services.notification.channels import build_channels
from services.notification.courier import Courier
from services.notification.handlers import HANDLERS
from services.notification.logos import LogoCache
from services.notification.models import Contact, Notification
from shared.db import make_service_engine, make_session_factory, migrate, read_only
from shared.messaging.handling import Outcome, process_message
from shared.settings import load_settings
from tests.factories.envelopes import make_envelope
from tests.fixtures.pgbouncer import database_params, database_url_of, pooler_env

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "notification" / "migrations"
ADMIN_TOKEN = "uji-token-admin-rakor-0123456789"


@pytest.fixture(params=database_params)
def database_url(request, sqlite_url_factory) -> str:
    """A fresh database per test: SQLite, PostgreSQL, and PostgreSQL through PgBouncer (transaction mode)."""
    return database_url_of(request, sqlite_url_factory)


def notification_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "RAKOR_ENV": "dev",
        "PUBLIC_BASE_URL": "https://rakor.example.go.id",  # where the factories' join links live
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "RETRY_DELAYS": "0.2,0.5",
        "SMTP_FROM": "Panitia Rakor <rakor@kominfo.go.id>",
        **pooler_env(database_url),
        **extra,
    }


class Harness:
    """Handles bus messages exactly as the consumer runner does, minus RabbitMQ."""

    def __init__(self, env: dict[str, str], ssl_context: ssl.SSLContext | None = None):
        self.settings = load_settings("notification", environ=env)
        self.engine = make_service_engine(self.settings)
        migrate(self.engine, MIGRATIONS)
        self.session_factory = make_session_factory(self.engine)
        self.channels = build_channels(self.settings, ssl_context)
        # No caching in tests: a logo uploaded a moment ago is in the next mail.
        self.courier = Courier(self.channels, logos=LogoCache(self.session_factory, ttl=0))

    def deliver(
        self,
        event_type: str,
        data: dict[str, Any],
        *,
        attempt: int = 1,
        event_id: str | None = None,
        occurred_at: dt.datetime | None = None,
    ) -> Outcome:
        body = make_envelope(event_type, data, event_id=event_id, occurred_at=occurred_at)
        return self.deliver_body(body, attempt=attempt)

    def deliver_body(self, body: bytes, *, attempt: int = 1) -> Outcome:
        return process_message(body, attempt=attempt, handlers=HANDLERS, session_factory=self.session_factory, deps=self.courier)

    def deliver_until_settled(self, body: bytes, max_attempts: int = 5) -> list[Outcome]:
        """Redeliver like the retry queues do (without the waiting) until the message is acked or dead."""
        outcomes = []
        for attempt in range(1, max_attempts + 1):
            outcome = self.deliver_body(body, attempt=attempt)
            outcomes.append(outcome)
            if outcome.action != "retry":
                break
        return outcomes

    def notifications(self, **filters: Any) -> list[Notification]:
        with read_only(self.session_factory) as session:
            query = (
                select(Notification).options(selectinload(Notification.attempts)).order_by(Notification.created_at, Notification.channel)
            )
            for name, value in filters.items():
                query = query.where(getattr(Notification, name) == value)
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows

    def contact(self, registration_id: str) -> Contact | None:
        with read_only(self.session_factory) as session:
            contact = session.get(Contact, registration_id)
            session.expunge_all()
            return contact

    def close(self) -> None:
        self.courier.close()
        self.engine.dispose()


@pytest.fixture
def harness(database_url, smtp_server, sms_gateway, tmp_path):
    """Plain SMTP server and the generic SMS gateway, on SQLite and on PostgreSQL."""
    h = Harness(notification_env(database_url, tmp_path, **smtp_server.env(), **sms_gateway.env()))
    yield h
    h.close()
