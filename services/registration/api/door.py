"""The door of a meeting: door tokens (organizer), and check-in, look-up, undo and the count (organizer or door token)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView

from services.registration import operations
from services.registration.api.auth import requires
from services.registration.api.context import sessions
from services.registration.api.docs import errors
from services.registration.schemas import (
    CheckInResultSchema,
    CheckInSchema,
    CheckInUndoneSchema,
    DoorSummarySchema,
    DoorTokenCreatedSchema,
    DoorTokenCreateSchema,
    DoorTokenSchema,
    LookupMatchSchema,
    LookupQuerySchema,
)
from shared.web import Blueprint

blp = Blueprint("door", __name__, url_prefix="/v1", description="The door: door tokens, check-in, look-up, undo and the count.")


@blp.route("/events/<event_id>/door-tokens")
class DoorTokens(MethodView):
    @requires("admin")
    @blp.arguments(DoorTokenCreateSchema())
    @blp.response(201, DoorTokenCreatedSchema)
    @errors(blp, 403, 404, 413, 422)
    def post(self, data, event_id):
        """Make a door token for this meeting's door phones; the answer holds it, shown only this once."""
        return operations.create_door_token(sessions(), event_id, data)

    @requires("admin")
    @blp.response(200, DoorTokenSchema(many=True))
    @errors(blp, 403, 404)
    def get(self, event_id):
        """The meeting's door tokens (never their values)."""
        return operations.list_door_tokens(sessions(), event_id)


@blp.route("/door-tokens/<token_id>")
class DoorToken(MethodView):
    @requires("admin")
    @blp.response(204)
    @errors(blp, 403, 404)
    def delete(self, token_id):
        """Revoke a door token at once: its next request is 401."""
        operations.revoke_door_token(sessions(), token_id)


@blp.route("/events/<event_id>/check-ins")
class CheckIns(MethodView):
    @requires("door")
    @blp.arguments(CheckInSchema())
    @blp.response(200, CheckInResultSchema)
    @errors(blp, 403, 404, 409, 413, 422)
    def post(self, data, event_id):
        """Check a participant in by code or registration id; a second scan answers with the first time.

        409 `reason`: cancelled, waitlisted, online, or not_this_meeting (registered for another meeting).
        """
        return operations.check_in(sessions(), event_id, code=data.get("code"), registration_id=data.get("registration_id"))


@blp.route("/events/<event_id>/check-ins/lookup")
class CheckInLookup(MethodView):
    @requires("door")
    @blp.arguments(LookupQuerySchema(), location="query")
    @blp.response(200, LookupMatchSchema(many=True))
    @errors(blp, 403, 404, 422)
    def get(self, query, event_id):
        """Find someone by name, NIP, email or code (at most 10 matches, only what the door needs)."""
        return operations.lookup(sessions(), event_id, query["q"])


@blp.route("/events/<event_id>/check-ins/summary")
class CheckInSummary(MethodView):
    @requires("door")
    @blp.response(200, DoorSummarySchema)
    @errors(blp, 403, 404)
    def get(self, event_id):
        """How many confirmed in-person people are in."""
        return operations.summary(sessions(), event_id)


@blp.route("/events/<event_id>/check-ins/<registration_id>")
class CheckIn(MethodView):
    @requires("door")
    @blp.response(200, CheckInUndoneSchema)
    @errors(blp, 403, 404, 409)
    def delete(self, event_id, registration_id):
        """Undo a check-in (recorded with who and when; registration.check_in_reverted)."""
        return operations.undo_check_in(sessions(), g.caller, event_id, registration_id)
