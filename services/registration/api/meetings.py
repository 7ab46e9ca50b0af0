"""Meetings (called events in the API): the organizer creates and changes them; agencies read them."""

from __future__ import annotations

from flask.views import MethodView

from services.registration import operations
from services.registration.api.auth import requires
from services.registration.api.context import sessions
from services.registration.api.docs import errors
from services.registration.payloads import meeting_fields
from services.registration.schemas import (
    MeetingCancelSchema,
    MeetingCreateSchema,
    MeetingListQuerySchema,
    MeetingPatchSchema,
    MeetingSchema,
)
from shared.web import Blueprint

blp = Blueprint("events", __name__, url_prefix="/v1/events", description="Meetings: time, venue, seats, health protocol.")


def _render(meeting, counts) -> dict:
    taken, waitlisted = counts
    return {
        "id": meeting.id,
        **meeting_fields(meeting),
        "sequence": meeting.sequence,
        "status": meeting.status,
        "cancelled_at": meeting.cancelled_at,
        "cancellation_reason": meeting.cancellation_reason,
        "seats": {"capacity": meeting.in_person_capacity, "taken": taken, "waitlisted": waitlisted},
        "created_at": meeting.created_at,
        "updated_at": meeting.updated_at,
    }


@blp.route("")
class Meetings(MethodView):
    @requires("admin")
    @blp.arguments(MeetingCreateSchema())
    @blp.response(201, MeetingSchema)
    @errors(blp, 403, 413, 422)
    def post(self, data):
        """Create a meeting (records event.created)."""
        return _render(*operations.create_meeting(sessions(), data))

    @requires("any")
    @blp.arguments(MeetingListQuerySchema(), location="query")
    @blp.response(200, MeetingSchema(many=True))
    @errors(blp, 422)
    def get(self, query):
        """List meetings with their seats (`?status=scheduled` or `cancelled` to filter)."""
        return [_render(m, c) for m, c in operations.list_meetings(sessions(), query.get("status"))]


@blp.route("/<event_id>")
class MeetingById(MethodView):
    @requires("any")
    @blp.response(200, MeetingSchema)
    @errors(blp, 404)
    def get(self, event_id):
        """Read a meeting with seats {capacity, taken, waitlisted}."""
        return _render(*operations.get_meeting(sessions(), event_id))

    @requires("admin")
    @blp.arguments(MeetingPatchSchema())
    @blp.response(200, MeetingSchema)
    @errors(blp, 403, 404, 409, 413, 422)
    def patch(self, changes, event_id):
        """Change a meeting; a change of time or venue raises `sequence` and records event.updated (409 once cancelled)."""
        return _render(*operations.update_meeting(sessions(), event_id, changes))


@blp.route("/<event_id>/cancel")
class MeetingCancel(MethodView):
    @requires("admin")
    @blp.arguments(MeetingCancelSchema())
    @blp.response(200, MeetingSchema)
    @errors(blp, 403, 404, 409, 413, 422)
    def post(self, data, event_id):
        """Call the meeting off (records event.cancelled); registrations, mode changes, edits and check-ins answer 409 from then on."""
        return _render(*operations.cancel_meeting(sessions(), event_id, data["reason"]))
