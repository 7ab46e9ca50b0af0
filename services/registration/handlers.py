"""Bus events the registration service consumes: online joins and Zoom presence reported by the streaming service."""

from __future__ import annotations

from services.registration import operations
from shared.messaging.handling import Event, HandlerContext


def on_stream_joined(event: Event, ctx: HandlerContext) -> None:
    """A participant opened their personal link: count it as online attendance."""
    operations.record_online_join(ctx.session, event.data)


def on_presence_recorded(event: Event, ctx: HandlerContext) -> None:
    """A Zoom report gave a participant's minutes in the meeting: online attendance is judged by them from now on."""
    operations.record_online_presence(ctx.session, event.data)


HANDLERS = {"stream.joined": on_stream_joined, "stream.presence_recorded": on_presence_recorded}
