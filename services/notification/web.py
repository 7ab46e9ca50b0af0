"""What notification's views share: the app's state, and the one map from domain errors to HTTP answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import Session

from services.notification.courier import Courier
from services.notification.domain.logo import LogoRejected
from services.notification.domain.whatsapp import BadWebhook
from services.notification.operations import NotificationNotFound, NotRedrivable, RegistrationUnknown
from shared.web.errors import Answer, register_error_map
from shared.web.state import service_state

EXTENSION = "rakor_notification"
INVALID = "The request has invalid fields."


@dataclass
class NotificationAppState:
    session_factory: Callable[[], Session]
    # Re-drives send from the API process itself, so the operator sees the outcome in the answer.
    courier: Courier


def state() -> NotificationAppState:
    return service_state(EXTENSION)


def _webhook_field(error: BadWebhook) -> dict[str, list[str]]:
    # BadWebhook's message is "<field>: <what is wrong>".
    field, _, message = str(error).partition(": ")
    return {field: [message]}


ANSWERS = {
    NotificationNotFound: Answer(404, "Notification not found."),
    RegistrationUnknown: Answer(404, "Registration not known to the notification service."),
    NotRedrivable: Answer(409, extra=lambda error: {"status_now": error.status}),
    LogoRejected: Answer(422, INVALID, errors=lambda error: {"logo": [str(error)]}),
    BadWebhook: Answer(422, INVALID, errors=_webhook_field),
}


def register_domain_errors(app: Flask) -> None:
    register_error_map(app, ANSWERS)
