"""Stats and the attendance list (JSON, CSV, XLSX or the PDF daftar hadir); the door itself is api/door.py."""

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
CSV, XLSX, PDF = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/pdf"
DOCUMENTS = {"xlsx": (XLSX, "xlsx"), "pdf": (PDF, "pdf")}


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
    @blp.response(
        200,
        AttendanceSchema,
        description="JSON; ?format=csv a list of participants, ?format=xlsx a workbook (summary and one sheet per agency), ?format=pdf the signed daftar hadir.",
    )
    @blp.doc(responses={200: {"content": {media: {"schema": {"type": "string", "format": "binary"}} for media in (CSV, XLSX, PDF)}}})
    @errors(blp, 404, 422)
    def get(self, query, event_id):
        """Door check-ins and online joins per participant and per agency."""
        caller = g.caller
        if query["format"] == "csv":
            return _csv(event_id, operations.attendance(sessions(), caller, event_id)["participants"])
        if query["format"] in DOCUMENTS:
            media, extension = DOCUMENTS[query["format"]]
            document = operations.attendance_document(sessions(), caller, event_id, query["format"])
            return _download(document, media, f"daftar-hadir-{event_id}.{extension}")
        return operations.attendance(sessions(), caller, event_id)


def _download(document: bytes, media: str, filename: str) -> Response:
    response = Response(document, mimetype=media)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv(event_id: str, participants: list[dict]) -> Response:
    document = csv_document(CSV_COLUMNS, AttendanceRowSchema(many=True).dump(participants))
    response = Response(document, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="attendance-{event_id}.csv"'
    return response
