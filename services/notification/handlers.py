"""Bus events in -> operations. ctx.deps is the worker's Courier (channels, renderer, fan-out threads)."""

from __future__ import annotations

from services.notification import operations
from services.notification.courier import Courier
from services.notification.domain.bus_trust import untrusted_field
from shared.messaging.errors import PermanentError
from shared.messaging.handling import Event, HandlerContext


def _notify(event: Event, ctx: HandlerContext) -> None:
    courier: Courier = ctx.deps
    problem = untrusted_field(event.data, courier.channels.link_rules)
    if problem:
        raise PermanentError(f"{event.type}: {problem}; nothing sent", reason="untrusted-payload")
    operations.notify(
        ctx.session_factory,
        courier,
        event.id,
        event.type,
        event.data,
        event.occurred_at,
        attempt=event.attempt,
        executor=courier.executor,
        final_session=ctx.session,
    )


def on_event_created(event: Event, ctx: HandlerContext) -> None:
    operations.record_meeting(ctx.session, event.data)


def on_checked_in(event: Event, ctx: HandlerContext) -> None:
    operations.record_check_in(ctx.session, event.id, event.data, event.occurred_at)


def on_agency_updated(event: Event, ctx: HandlerContext) -> None:
    courier: Courier = ctx.deps
    # Where the agency's digests will go: checked like every recipient taken from the bus.
    problem = untrusted_field({"agency": event.data}, courier.channels.link_rules)
    if problem:
        raise PermanentError(f"{event.type}: {problem}; agency not kept", reason="untrusted-payload")
    operations.record_agency(ctx.session, event.data)


def on_check_in_reverted(event: Event, ctx: HandlerContext) -> None:
    operations.clear_check_in(ctx.session, event.data["registration_id"], event.data["checked_in_at"])


def on_link_revoked(event: Event, ctx: HandlerContext) -> None:
    operations.record_link_revoked(ctx.session, event.data["registration_id"], event.occurred_at)


HANDLERS = {
    "event.created": on_event_created,
    "event.updated": _notify,
    "event.cancelled": _notify,
    "registration.confirmed": _notify,
    "registration.waitlisted": _notify,
    "registration.promoted": _notify,
    "registration.cancelled": _notify,
    "registration.mode_changed": _notify,
    "registration.checked_in": on_checked_in,
    "registration.check_in_reverted": on_check_in_reverted,
    "stream.link_issued": _notify,
    "stream.link_revoked": on_link_revoked,
    "certificate.issued": _notify,
    "agency.updated": on_agency_updated,
    "agency.bulk_processed": _notify,
}
