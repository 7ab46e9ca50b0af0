"""Stats and the attendance list (JSON or CSV); the door itself is api/door.py."""
from __future__ import annotations

from flask import Response, g
from flask.views import MethodView

from services.registration import operations
from services.registration.api.auth import requires
from services.registration.api.context import sessions
from services.registration.api.docs import errors
from services.registration.schemas import (
    AttendanceQuerySchema,
    AttendanceRowSchema,
    AttendanceSchema,
    StatsSchema,
)
from shared.csv_export import csv_document
from shared.web import Blueprint

blp = Blueprint("attendance", __name__, url_prefix="/v1/events", description="Stats and attendance.")

CSV_COLUMNS = list(AttendanceRowSchema().fields)


@blp.route("/<event_id>/stats")
class Stats(MethodView):
    @requires("any")
    @blp.response(200, StatsSchema)
    @errors(blp, 404)
    def get(self, event_id):
        """Counts per meeting and per agency (an agency sees its own)."""
        caller = g.caller
        return operations.stats(sessions(), caller, event_id)


@blp.route("/<event_id>/attendance")
class Attendance(MethodView):
    @requires("any")
    @blp.arguments(AttendanceQuerySchema(), location="query")
    @blp.response(200, AttendanceSchema, description="JSON; with ?format=csv a text/csv list of participants.")
    @blp.doc(responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
    @errors(blp, 404, 422)
    def get(self, query, event_id):
        """Door check-ins and online joins per participant and per agency."""
        caller = g.caller
        report = operations.attendance(sessions(), caller, event_id)
        if query["format"] == "csv":
            return _csv(event_id, report["participants"])
        return report


def _csv(event_id: str, participants: list[dict]) -> Response:
    document = csv_document(CSV_COLUMNS, AttendanceRowSchema(many=True).dump(participants))
    response = Response(document, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="attendance-{event_id}.csv"'
    return response
