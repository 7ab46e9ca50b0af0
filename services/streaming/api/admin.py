"""Organizer endpoints: channels, publishing the personal links, who joined."""

from __future__ import annotations

import json

from flask import request
from flask.views import MethodView

from services.streaming import operations, presence_import
from services.streaming.api import state
from services.streaming.domain.channels import ChannelInput
from services.streaming.schemas import (
    ChannelBodySchema,
    ChannelSchema,
    ChannelsSchema,
    JoinsSchema,
    PresenceImportSchema,
    PresenceQuerySchema,
    PublishResultSchema,
)
from shared.web import Blueprint, abort_json, organizer_only
from shared.web.json_body import BodyRefused, parse_json_body
from shared.web.state import service_settings

blp = Blueprint(
    "streaming", __name__, url_prefix="/v1", description="Zoom and YouTube channels, personal join links, online joins (organizer)."
)


@blp.route("/events/<event_id>/channels/<kind>")
class ChannelResource(MethodView):
    @organizer_only
    @blp.arguments(ChannelBodySchema)
    @blp.response(200, ChannelSchema)
    @blp.alt_response(401, description="Missing or invalid token")
    @blp.alt_response(422, description="Invalid field (url, meeting_id, passcode or kind)")
    def put(self, body, event_id, kind):
        """Set or change the Zoom or YouTube channel of a meeting (links already sent follow the new URL)."""
        settings = service_settings()
        channel = ChannelInput(
            kind=kind, url=body["url"].strip(), meeting_id=_trimmed(body["meeting_id"]), passcode=_trimmed(body["passcode"])
        )
        return operations.set_channel(state().session_factory, settings, event_id, channel)


def _trimmed(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


@blp.route("/events/<event_id>/channels")
class ChannelsResource(MethodView):
    @organizer_only
    @blp.response(200, ChannelsSchema)
    @blp.alt_response(401, description="Missing or invalid token")
    @blp.alt_response(404, description="Unknown meeting")
    def get(self, event_id):
        """The meeting's channels and whether its links have been published."""
        return operations.get_channels(state().session_factory, event_id)


@blp.route("/events/<event_id>/publish")
class PublishResource(MethodView):
    @organizer_only
    @blp.response(202, PublishResultSchema)
    @blp.alt_response(401, description="Missing or invalid token")
    @blp.alt_response(404, description="Unknown meeting")
    @blp.alt_response(409, description="The meeting has no channel yet, or was cancelled")
    def post(self, event_id):
        """Send a personal link to every confirmed online participant; later ones get theirs automatically."""
        settings = service_settings()
        return operations.publish_links(state().session_factory, settings, event_id)


@blp.route("/events/<event_id>/joins")
class JoinsResource(MethodView):
    @organizer_only
    @blp.response(200, JoinsSchema)
    @blp.alt_response(401, description="Missing or invalid token")
    @blp.alt_response(404, description="Unknown meeting")
    def get(self, event_id):
        """Who joined online: first and last join and how many times, per registration."""
        rows = operations.list_joins(state().session_factory, event_id)
        return {"event_id": event_id, "participants": len(rows), "total_joins": sum(r.count for r in rows), "items": rows}


# What browsers and Windows call a .csv file, besides text/csv.
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")
REPORT_BODY = {
    "required": True,
    "content": {
        "text/csv": {
            "schema": {"type": "string", "format": "binary"},
            "example": (
                "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room\n"
                "Rina Wulandari,rina.wulandari@kominfo.go.id,12/01/2021 08:58:12 AM,12/01/2021 10:31:40 AM,94,No,No\n"
            ),
        },
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}
        },
        "application/json": {
            "schema": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "email": {"type": "string"},
                        "name": {"type": "string"},
                        "join_time": {"type": "string", "format": "date-time"},
                        "leave_time": {"type": "string", "format": "date-time"},
                    },
                },
            }
        },
    },
}


def _report_content():
    """(source, content) of the request: the Zoom CSV as the body or an uploaded file, or JSON rows."""
    if request.mimetype == "application/json":
        try:
            return presence_import.JSON_ROWS, parse_json_body(request.get_data())
        except (json.JSONDecodeError, BodyRefused) as exc:
            abort_json(400, f"The body is not valid JSON: {exc}")
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort_json(422, "Upload the Zoom report as the form field 'file'.", errors={"file": ["Missing."]})
        return presence_import.ZOOM_CSV, upload.read()
    if request.mimetype in CSV_TYPES:
        return presence_import.ZOOM_CSV, request.get_data()
    abort_json(415, "Send the Zoom participant report as text/csv, as a multipart upload named 'file', or JSON rows (application/json).")


@blp.route("/events/<event_id>/online-attendance")
class OnlineAttendanceResource(MethodView):
    @organizer_only
    @blp.arguments(PresenceQuerySchema, location="query")
    @blp.doc(requestBody=REPORT_BODY)
    @blp.response(200, PresenceImportSchema)
    @blp.alt_response(400, description="The JSON body cannot be parsed")
    @blp.alt_response(401, description="Missing or invalid token")
    @blp.alt_response(404, description="Unknown meeting")
    @blp.alt_response(413, description="The report is larger than MAX_BODY_BYTES")
    @blp.alt_response(415, description="Neither CSV nor JSON")
    @blp.alt_response(422, description="A row or column of the report is wrong (errors name them); nothing was imported")
    def post(self, query, event_id):
        """Import a Zoom participant report: minutes per online registration (overlaps once); importing it again changes nothing."""
        source, content = _report_content()
        return presence_import.import_presence_report(state().session_factory, event_id, source, content, query["timezone"])
