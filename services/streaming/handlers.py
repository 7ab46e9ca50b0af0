"""Bus events in: the meeting read model and who may watch; links issued or revoked as eligibility changes."""
from __future__ import annotations

from services.streaming import operations
from shared.messaging.handling import Event, HandlerContext


def on_meeting_changed(event: Event, ctx: HandlerContext) -> None:
    """event.created / event.updated: keep title and times (the join link page, the 'meeting over' rule)."""
    operations.record_meeting(ctx.session, event.data, event.occurred_at)


def on_registration_changed(event: Event, ctx: HandlerContext) -> None:
    """Any registration event: eligible people get a link once links are published; the others lose theirs."""
    operations.record_registration(ctx.session, ctx.deps, event.type, event.data, event.occurred_at)


HANDLERS = {
    "event.created": on_meeting_changed,
    "event.updated": on_meeting_changed,
    "registration.confirmed": on_registration_changed,
    "registration.waitlisted": on_registration_changed,
    "registration.promoted": on_registration_changed,
    "registration.cancelled": on_registration_changed,
    "registration.mode_changed": on_registration_changed,
}
