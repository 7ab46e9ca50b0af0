"""Organizer endpoints: channels, publishing the personal links, who joined."""
from __future__ import annotations

from flask.views import MethodView

from services.streaming import operations
from services.streaming.api import state
from services.streaming.domain.channels import ChannelInput
from services.streaming.schemas import ChannelBodySchema, ChannelSchema, ChannelsSchema, JoinsSchema, PublishResultSchema
from shared.web import Blueprint, organizer_only
from shared.web.state import service_settings

blp = Blueprint("streaming", __name__, url_prefix="/v1", description="Zoom and YouTube channels, personal join links, online joins (organizer).")


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
        channel = ChannelInput(kind=kind, url=body["url"].strip(), meeting_id=_trimmed(body["meeting_id"]), passcode=_trimmed(body["passcode"]))
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
