"""The notification API (admin only): list, read with attempts, re-drive, and stats."""

from __future__ import annotations

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
from services.notification.web import state
from shared.web import Blueprint, organizer_only
from shared.web.cursor import decode_cursor, encode_cursor

blp = Blueprint(
    "notifications", __name__, url_prefix="/v1/notifications", description="Messages sent to participants, their attempts, and re-drives."
)


@blp.route("")
class Notifications(MethodView):
    @organizer_only
    @blp.arguments(NotificationQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, NotificationPageSchema)
    def get(self, args):
        """Notifications, newest first, filtered by registration, meeting, status, channel or kind."""
        limit = args.pop("limit")
        cursor = decode_cursor(args.pop("cursor")) if args.get("cursor") else None
        items = operations.list_notifications(state().session_factory, args, limit + 1, cursor)
        next_cursor = encode_cursor(items[limit - 1].created_at, items[limit - 1].id) if len(items) > limit else None
        return {"items": items[:limit], "next_cursor": next_cursor}


@blp.route("/stats")
class NotificationStats(MethodView):
    @organizer_only
    @blp.arguments(StatsQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, StatsSchema)
    def get(self, args):
        """Counts by status and channel (optionally for one meeting) and the number of attempts."""
        return operations.notification_stats(state().session_factory, args.get("event_id"))


@blp.route("/<string:notification_id>")
class NotificationItem(MethodView):
    @organizer_only
    @blp.response(200, NotificationDetailSchema)
    @blp.alt_response(404, description="Unknown notification")
    def get(self, notification_id):
        """One notification with every delivery attempt."""
        return operations.find_notification(state().session_factory, notification_id)


@blp.route("/<string:notification_id>/retry")
class NotificationRetry(MethodView):
    @organizer_only
    @blp.response(200, NotificationDetailSchema)
    @blp.alt_response(404, description="Unknown notification")
    @blp.alt_response(409, description="The notification is not failed or dead")
    def post(self, notification_id):
        """Send a failed or dead notification once more, now; the answer shows the new attempt."""
        app_state = state()
        return operations.redrive(app_state.session_factory, app_state.courier, notification_id)
