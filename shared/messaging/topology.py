"""The bus layout: one topic exchange, and for each consuming service a queue, retry tiers and a dead-letter queue.

The subscriptions of all services live here, in one place. A process whose broker user may do so
declares the whole layout at start (`make run`, tests): an event is then routable to each of its
consumers from the first second, whatever order the processes start in. In production each service
connects as a user allowed only its own queues (see access.py); the layout is then declared once by
the operator's setup step (`python -m deploy.bus_setup`) and each process only checks its own part.
"""
from __future__ import annotations

import logging

import pika.exceptions

log = logging.getLogger(__name__)

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
        "agency.updated",
        "agency.bulk_processed",
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


# The event types each service publishes, as routing-key patterns: its broker user's topic permission.
PUBLISHES: dict[str, tuple[str, ...]] = {
    "registration": ("event.*", "registration.*", "agency.*"),
    "notification": (),
    "streaming": ("stream.*",),
}


def queue_name(service: str) -> str:
    return f"rakor.{service}"


def retry_queue_name(service: str, delay: float) -> str:
    # The delay is in the name: changing RETRY_DELAYS makes new queues instead of clashing
    # with the fixed TTL of the old ones.
    return f"rakor.{service}.retry.{int(delay * 1000)}ms"


def dead_letter_queue_name(service: str) -> str:
    return f"rakor.{service}.dead"


def requeue_exchange_name(service: str) -> str:
    # Consumers put retries and dead letters into their own queues through this direct exchange, not
    # the default one: write access to the default exchange would reach every queue of every service.
    return f"rakor.{service}.requeue"


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
        requeue = requeue_exchange_name(service)
        channel.exchange_declare(requeue, exchange_type="direct", durable=True)
        for queue in [*(retry_queue_name(service, d) for d in retry_delays), dead_letter_queue_name(service)]:
            channel.queue_bind(queue, requeue, routing_key=queue)


def check_topology(channel, service: str, retry_delays: tuple[float, ...], *, consumes: bool) -> None:
    """Passively check the parts of the layout `service` uses; raise ChannelClosedByBroker (404) if one is missing."""
    channel.exchange_declare(EXCHANGE, passive=True)
    if consumes:
        channel.exchange_declare(requeue_exchange_name(service), passive=True)
        for queue in [queue_name(service), *(retry_queue_name(service, d) for d in retry_delays), dead_letter_queue_name(service)]:
            channel.queue_declare(queue, passive=True)


def prepare_topology(connection, service: str, retry_delays: tuple[float, ...], *, consumes: bool) -> None:
    """Declare the whole layout when this process's user may (403 otherwise), else check its own part."""
    try:
        declare_topology(connection.channel(), retry_delays)
    except pika.exceptions.ChannelClosedByBroker as exc:
        if exc.reply_code != 403:
            raise
        log.info("%s: broker user may not declare the layout (%s); checking the one the setup step declared", service, exc.reply_text)
        check_topology(connection.channel(), service, retry_delays, consumes=consumes)


def declare_layout(admin_url: str, retry_delays: tuple[float, ...]) -> None:
    """Declare the whole layout over a connection with a privileged user (the operator's setup step)."""
    import pika

    from shared.messaging.connection import connection_parameters

    connection = pika.BlockingConnection(connection_parameters(admin_url, name="rakor-bus-setup"))
    try:
        declare_topology(connection.channel(), retry_delays)
    finally:
        connection.close()
