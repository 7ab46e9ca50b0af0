"""A meeting's messages to participants: counts by status and channel, the list, re-send a failed or dead one."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from services.console.clients import Conflict
from services.console.security import services, signed_in

blp = Blueprint("messages", __name__, url_prefix="/meetings/<event_id>/messages")
# The notification API's vocabulary, in the order a message moves through it (receipts add delivered/read).
STATUSES = ("pending", "sending", "sent", "delivered", "read", "retrying", "failed", "dead")
CHANNELS = ("email", "sms", "whatsapp")
RESENDABLE = ("failed", "dead")


@blp.get("")
@signed_in
def index(event_id: str):
    clients = services()
    meeting = clients.registration.meeting(event_id)
    status = request.args.get("status", "") if request.args.get("status") in STATUSES else ""
    channel = request.args.get("channel", "") if request.args.get("channel") in CHANNELS else ""
    filters = {k: v for k, v in (("status", status), ("channel", channel)) if v}
    stats = clients.notification.stats(event_id)
    notifications = clients.notification.notifications(event_id, **filters)
    return render_template(
        "messages/index.html",
        meeting=meeting,
        stats=stats,
        notifications=notifications,
        status=status,
        channel=channel,
        statuses=STATUSES,
        channels=CHANNELS,
        resendable=RESENDABLE,
        tab="messages",
    )


@blp.post("/<notification_id>/retry")
@signed_in
def retry(event_id: str, notification_id: str):
    try:
        services().notification.retry(notification_id)
    except Conflict:
        # Someone else re-sent it first, or it went out meanwhile: nothing to do, and no error to show.
        return redirect(url_for("messages.index", event_id=event_id, notice="messages.not_resendable"))
    return redirect(url_for("messages.index", event_id=event_id, notice="messages.resent"))
