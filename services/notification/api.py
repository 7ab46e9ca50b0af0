"""The notification API (admin only): list, read with attempts, re-drive, and stats."""
from __future__ import annotations

import base64
import binascii
import datetime as dt

from flask import current_app
from flask.views import MethodView
from marshmallow import RAISE

from services.notification import operations
from services.notification.schemas import (
    NotificationDetailSchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    StatsQuerySchema,
    StatsSchema,
)
from shared.web import Blueprint, abort_json, require_admin

blp = Blueprint("notifications", __name__, url_prefix="/v1/notifications", description="Messages sent to participants, their attempts, and re-drives.")


@blp.before_request
def _organizer_only():
    require_admin()


def _state():
    return current_app.extensions["rakor_notification"]


def encode_cursor(created_at: dt.datetime, notification_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{notification_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        created, _, notification_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = dt.datetime.fromisoformat(created)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        abort_json(422, "The request has invalid fields.", errors={"cursor": ["Not a cursor returned by this API."]})
    if not notification_id or moment.tzinfo is None:
        abort_json(422, "The request has invalid fields.", errors={"cursor": ["Not a cursor returned by this API."]})
    return moment, notification_id


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, NotificationPageSchema)
    def get(self, args):
        """Notifications, newest first, filtered by registration, meeting, status, channel or kind."""
        limit = args.pop("limit")
        cursor = decode_cursor(args.pop("cursor")) if args.get("cursor") else None
        items = operations.list_notifications(_state().session_factory, args, limit + 1, cursor)
        next_cursor = encode_cursor(items[limit - 1].created_at, items[limit - 1].id) if len(items) > limit else None
        return {"items": items[:limit], "next_cursor": next_cursor}


@blp.route("/stats")
class NotificationStats(MethodView):
    @blp.arguments(StatsQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, StatsSchema)
    def get(self, args):
        """Counts by status and channel (optionally for one meeting) and the number of attempts."""
        return operations.notification_stats(_state().session_factory, args.get("event_id"))


@blp.route("/<string:notification_id>")
class NotificationItem(MethodView):
    @blp.response(200, NotificationDetailSchema)
    @blp.alt_response(404, description="Unknown notification")
    def get(self, notification_id):
        """One notification with every delivery attempt."""
        try:
            return operations.find_notification(_state().session_factory, notification_id)
        except operations.NotificationNotFound:
            abort_json(404, "Notification not found.")


@blp.route("/<string:notification_id>/retry")
class NotificationRetry(MethodView):
    @blp.response(200, NotificationDetailSchema)
    @blp.alt_response(404, description="Unknown notification")
    @blp.alt_response(409, description="The notification is not failed or dead")
    def post(self, notification_id):
        """Send a failed or dead notification once more, now; the answer shows the new attempt."""
        state = _state()
        try:
            return operations.redrive(state.session_factory, state.courier, notification_id)
        except operations.NotificationNotFound:
            abort_json(404, "Notification not found.")
        except operations.NotRedrivable as exc:
            abort_json(409, str(exc), status_now=exc.status)
