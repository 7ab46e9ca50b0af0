"""Reports: one notification, the filtered list, counts, and everything sent to one participant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.notification import store
from services.notification.models import Contact, Notification
from services.notification.operations.common import NotificationNotFound, RegistrationUnknown, SessionFactory
from shared.db import read_only


def find_notification(session_factory: SessionFactory, notification_id: str) -> Notification:
    with read_only(session_factory) as session:
        notification = store.get_notification(session, notification_id)
        # read_only ends in a rollback, which would expire the loaded rows; keep them as read.
        session.expunge_all()
    if notification is None:
        raise NotificationNotFound(notification_id)
    return notification


def list_notifications(
    session_factory: SessionFactory, filters: dict[str, Any], limit: int, cursor: tuple[dt.datetime, str] | None
) -> list[Notification]:
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
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_channel": by_channel,
        "attempts": attempts,
        "delivered": delivered,
        "read": read,
    }


def registration_ledger(session_factory: SessionFactory, registration_id: str) -> list[Notification]:
    """Everything sent to one participant, in order; RegistrationUnknown when nothing ever was and no contact exists."""
    with read_only(session_factory) as session:
        items = store.registration_ledger(session, registration_id)
        known = bool(items) or session.get(Contact, registration_id) is not None
        session.expunge_all()
    if not known:
        raise RegistrationUnknown(registration_id)
    return items
