"""Organizer endpoints: channels, publishing the personal links, who joined."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from services.streaming import operations
from services.streaming.api import state
from services.streaming.domain.channels import ChannelInput
from services.streaming.domain.errors import InvalidChannel, MeetingCancelled, MeetingNotFound, NoChannel
from services.streaming.schemas import ChannelBodySchema, ChannelSchema, ChannelsSchema, JoinsSchema, PublishResultSchema
from shared.web import Blueprint, abort_json, require_admin

blp = Blueprint("streaming", __name__, url_prefix="/v1", description="Zoom and YouTube channels, personal join links, online joins (organizer).")


@blp.before_request
def _only_the_organizer():
    # Before argument parsing, so a caller without the token learns nothing about the body's rules.
    require_admin()


def _not_found(event_id: str):
    abort_json(404, f"Meeting {event_id} is unknown to the streaming service.")


@blp.route("/events/<event_id>/channels/<kind>")
class ChannelResource(MethodView):
    @blp.arguments(ChannelBodySchema)
    @blp.response(200, ChannelSchema)
    @blp.alt_response(401, description="Missing or invalid token")
    @blp.alt_response(422, description="Invalid field (url, meeting_id, passcode or kind)")
    def put(self, body, event_id, kind):
        """Set or change the Zoom or YouTube channel of a meeting (links already sent follow the new URL)."""
        settings = current_app.config["RAKOR_SETTINGS"]
        channel = ChannelInput(kind=kind, url=body["url"].strip(), meeting_id=_trimmed(body["meeting_id"]), passcode=_trimmed(body["passcode"]))
        try:
            return operations.set_channel(state().session_factory, settings, event_id, channel)
        except InvalidChannel as exc:
            abort_json(422, "The channel has invalid fields.", errors=exc.errors)
        except MeetingNotFound:
            _not_found(event_id)


def _trimmed(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


@blp.route("/events/<event_id>/channels")
class ChannelsResource(MethodView):
    @blp.response(200, ChannelsSchema)
    @blp.alt_response(401, description="Missing or invalid token")
    @blp.alt_response(404, description="Unknown meeting")
    def get(self, event_id):
        """The meeting's channels and whether its links have been published."""
        try:
            return operations.get_channels(state().session_factory, event_id)
        except MeetingNotFound:
            _not_found(event_id)


@blp.route("/events/<event_id>/publish")
class PublishResource(MethodView):
    @blp.response(202, PublishResultSchema)
    @blp.alt_response(401, description="Missing or invalid token")
    @blp.alt_response(404, description="Unknown meeting")
    @blp.alt_response(409, description="The meeting has no channel yet, or was cancelled")
    def post(self, event_id):
        """Send a personal link to every confirmed online participant; later ones get theirs automatically."""
        settings = current_app.config["RAKOR_SETTINGS"]
        try:
            return operations.publish_links(state().session_factory, settings, event_id)
        except MeetingNotFound:
            _not_found(event_id)
        except NoChannel:
            abort_json(409, "Set the Zoom or YouTube channel of this meeting before publishing the links.")
        except MeetingCancelled:
            abort_json(409, "This meeting was cancelled; its links are not published.")


@blp.route("/events/<event_id>/joins")
class JoinsResource(MethodView):
    @blp.response(200, JoinsSchema)
    @blp.alt_response(401, description="Missing or invalid token")
    @blp.alt_response(404, description="Unknown meeting")
    def get(self, event_id):
        """Who joined online: first and last join and how many times, per registration."""
        try:
            rows = operations.list_joins(state().session_factory, event_id)
        except MeetingNotFound:
            _not_found(event_id)
        return {"event_id": event_id, "participants": len(rows), "total_joins": sum(r.count for r in rows), "items": rows}
