"""Use cases of the notification service: keep contacts, plan notifications, send them, re-drive them, report (used by the API, handlers and workers)."""

from services.notification.operations.common import NotificationNotFound, RegistrationUnknown, SessionFactory
from services.notification.operations.planning import claim_from_row, notification_row, plan_and_claim
from services.notification.operations.read_models import clear_check_in, record_agency, record_check_in, record_link_revoked, record_meeting
from services.notification.operations.reports import find_notification, list_notifications, notification_stats, registration_ledger
from services.notification.operations.sending import (
    NotRedrivable,
    notify,
    record_outcome,
    redrive,
    send_and_record,
    send_claims,
    send_in_turn,
)

__all__ = [
    "NotificationNotFound",
    "NotRedrivable",
    "RegistrationUnknown",
    "SessionFactory",
    "claim_from_row",
    "notification_row",
    "plan_and_claim",
    "clear_check_in",
    "record_agency",
    "record_check_in",
    "record_link_revoked",
    "record_meeting",
    "find_notification",
    "list_notifications",
    "notification_stats",
    "registration_ledger",
    "notify",
    "record_outcome",
    "redrive",
    "send_and_record",
    "send_claims",
    "send_in_turn",
]
