"""Bus events the registration service consumes: online joins reported by the streaming service."""
from __future__ import annotations

from services.registration import operations
from shared.messaging.handling import Event, HandlerContext


def on_stream_joined(event: Event, ctx: HandlerContext) -> None:
    """A participant opened their personal link: count it as online attendance."""
    operations.record_online_join(ctx.session, event.data)


HANDLERS = {"stream.joined": on_stream_joined}
