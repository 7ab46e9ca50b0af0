"""One participant's messages (the notification service's ledger), linked from a meeting's registrations table."""

from __future__ import annotations

from flask import Blueprint, render_template

from services.console.clients import NotFound
from services.console.security import services, signed_in
from services.console.views.messages import CHANNELS, RESENDABLE, STATUSES

blp = Blueprint("ledger", __name__, url_prefix="/meetings/<event_id>/registrations/<registration_id>/messages")
LEDGER_STATUSES = STATUSES + ("delivered", "read")
LEDGER_CHANNELS = CHANNELS + ("whatsapp",)


@blp.get("")
@signed_in
def show(event_id: str, registration_id: str):
    clients = services()
    meeting = clients.registration.meeting(event_id)
    try:
        items = clients.notification.ledger(registration_id)["items"]
    except NotFound:
        # Nothing was ever sent to this participant (or the notification service has not seen them yet).
        items = []
    return render_template(
        "ledger/index.html",
        meeting=meeting,
        registration_id=registration_id,
        items=items,
        statuses=LEDGER_STATUSES,
        channels=LEDGER_CHANNELS,
        resendable=RESENDABLE,
        tab="overview",
    )
