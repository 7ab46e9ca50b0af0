"""GET /v1/registrations/{id}/notifications: the ledger of everything sent to one participant (admin)."""

from __future__ import annotations

from flask.views import MethodView

from services.notification import operations
from services.notification.schemas import LedgerSchema
from services.notification.web import state
from shared.web import Blueprint, organizer_only

blp = Blueprint("ledger", __name__, url_prefix="/v1/registrations", description="What one participant was sent, on every channel.")


@blp.route("/<string:registration_id>/notifications")
class RegistrationLedger(MethodView):
    @organizer_only
    @blp.response(200, LedgerSchema)
    @blp.alt_response(404, description="No notification and no contact for this registration")
    def get(self, registration_id):
        """Every notification of the registration, oldest first: kind, channel, status, sent/delivered/read times."""
        items = operations.registration_ledger(state().session_factory, registration_id)
        return {"registration_id": registration_id, "items": items}
