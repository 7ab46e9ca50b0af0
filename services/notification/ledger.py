"""GET /v1/registrations/{id}/notifications: the ledger of everything sent to one participant (admin)."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from services.notification import operations
from services.notification.schemas import LedgerSchema
from shared.web import Blueprint, abort_json, require_admin

blp = Blueprint("ledger", __name__, url_prefix="/v1/registrations", description="What one participant was sent, on every channel.")


@blp.before_request
def _organizer_only():
    require_admin()


@blp.route("/<string:registration_id>/notifications")
class RegistrationLedger(MethodView):
    @blp.response(200, LedgerSchema)
    @blp.alt_response(404, description="No notification and no contact for this registration")
    def get(self, registration_id):
        """Every notification of the registration, oldest first: kind, channel, status, sent/delivered/read times."""
        try:
            items = operations.registration_ledger(current_app.extensions["rakor_notification"].session_factory, registration_id)
        except operations.NotificationNotFound:
            abort_json(404, "Registration not known to the notification service.")
        return {"registration_id": registration_id, "items": items}
