"""The bus layout: one topic exchange, and for each consuming service a queue, retry tiers and a dead-letter queue.

The subscriptions of all services live here, in one place, and every process declares the whole
layout at start. An event is then routable to each of its consumers from the first second, whatever
order the processes start in, and nothing published before a consumer first ran is lost.
"""
from __future__ import annotations

EXCHANGE = "rakor.events"

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "registration": ("stream.joined",),
    "notification": (
        "event.created",
        "event.updated",
        "event.cancelled",
        "registration.confirmed",
        "registration.waitlisted",
        "registration.promoted",
        "registration.cancelled",
        "registration.mode_changed",
        "registration.checked_in",
        "registration.check_in_reverted",
        "stream.link_issued",
        "stream.link_revoked",
        "certificate.issued",
    ),
    "streaming": (
        "event.created",
        "event.updated",
        "event.cancelled",
        "registration.confirmed",
        "registration.waitlisted",
        "registration.promoted",
        "registration.cancelled",
        "registration.mode_changed",
    ),
}


def queue_name(service: str) -> str:
    return f"rakor.{service}"


def retry_queue_name(service: str, delay: float) -> str:
    # The delay is in the name: changing RETRY_DELAYS makes new queues instead of clashing
    # with the fixed TTL of the old ones.
    return f"rakor.{service}.retry.{int(delay * 1000)}ms"


def dead_letter_queue_name(service: str) -> str:
    return f"rakor.{service}.dead"


def declare_topology(channel, retry_delays: tuple[float, ...]) -> None:
    """Declare exchange, queues, retry tiers and dead-letter queues of every service (idempotent)."""
    channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
    for service, event_types in SUBSCRIPTIONS.items():
        main = queue_name(service)
        channel.queue_declare(main, durable=True, arguments={"x-queue-type": "quorum"})
        for event_type in event_types:
            channel.queue_bind(main, EXCHANGE, routing_key=event_type)
        # TTL expiry only happens at the head of a queue, so each delay gets a queue of its own
        # with a fixed TTL; expired messages go back to the service's main queue.
        for delay in retry_delays:
            channel.queue_declare(
                retry_queue_name(service, delay),
                durable=True,
                arguments={
                    "x-message-ttl": int(delay * 1000),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": main,
                },
            )
        channel.queue_declare(dead_letter_queue_name(service), durable=True, arguments={"x-queue-type": "quorum"})
