"""Bus events in: the meeting read model and who may watch; links issued or revoked as eligibility changes."""

from __future__ import annotations

from services.streaming import operations
from services.streaming.domain.meetings import is_valid_event_id
from shared.messaging.errors import PermanentError
from shared.messaging.handling import Event, HandlerContext


def _check_ids(*ids: str) -> None:
    # An id the tables cannot hold would fail on every retry: dead-letter it at once.
    for value in ids:
        if not is_valid_event_id(value):
            raise PermanentError(f"unusable id {value[:80]!r}")


def on_meeting_changed(event: Event, ctx: HandlerContext) -> None:
    """event.created / event.updated: keep title and times (the join link page, the 'meeting over' rule)."""
    _check_ids(event.data["id"])
    operations.record_meeting(ctx.session, event.data, event.occurred_at)


def on_meeting_cancelled(event: Event, ctx: HandlerContext) -> None:
    """event.cancelled: the meeting's personal links answer 410 from now on."""
    _check_ids(event.data["id"])
    operations.record_meeting_cancelled(ctx.session, event.data, event.occurred_at)


def on_registration_changed(event: Event, ctx: HandlerContext) -> None:
    """Any registration event: eligible people get a link once links are published; the others lose theirs."""
    _check_ids(event.data["event_id"], event.data["registration_id"])
    operations.record_registration(ctx.session, ctx.deps, event.type, event.data, event.occurred_at)


HANDLERS = {
    "event.created": on_meeting_changed,
    "event.updated": on_meeting_changed,
    "event.cancelled": on_meeting_cancelled,
    "registration.confirmed": on_registration_changed,
    "registration.waitlisted": on_registration_changed,
    "registration.promoted": on_registration_changed,
    "registration.cancelled": on_registration_changed,
    "registration.mode_changed": on_registration_changed,
}
