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
    "registration": ("stream.joined", "stream.presence_recorded"),
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


# Returns to the queue a message may take before the broker dead-letters it: a delivery is
# "returned" when its consumer dies or loses its connection holding it unacked. A message that
# kills its worker (a native crash in a PDF or image library, the OOM killer) would otherwise come
# back forever and take every replica down in turn. Handler exceptions never count here: the
# consumer acks those and republishes to a retry tier itself (consumer.py). Five leaves room for
# innocent messages that were merely in hand when a worker died or a broker node went away, since
# the broker cannot tell them from the one that did the killing. RabbitMQ 4 applies a limit of 20
# and then drops the message when no dead-letter target is set; this layout always sets one.
DELIVERY_LIMIT = 5

# Broker-side dead-lettering (delivery limit, retry TTL) is at-least-once: the message stays in its
# source queue until the target queue has confirmed it, so a node dying mid-move loses nothing (the
# default, at-most-once, fires and forgets). RabbitMQ applies at-least-once only to queues that
# refuse publishes when full (x-overflow reject-publish) instead of dropping their head; our
# queues have no length limit, so that overflow rule never refuses anything today, and a limit
# added later keeps both guarantees: publishers see the refusal (nack), nothing is dropped silently.
_SAFE_DEAD_LETTERING = {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}


def queue_arguments(service: str, retry_delays: tuple[float, ...]) -> dict[str, dict]:
    """Every queue of `service` and its declare arguments: all quorum queues, replicated over the cluster."""
    main = queue_name(service)
    dead = dead_letter_queue_name(service)
    queues = {
        main: {
            "x-queue-type": "quorum",
            "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": requeue_exchange_name(service),
            "x-dead-letter-routing-key": dead,
            **_SAFE_DEAD_LETTERING,
        }
    }
    # TTL expiry only happens at the head of a queue, so each delay gets a queue of its own with a
    # fixed TTL; expired messages go back to the service's main queue through the default exchange.
    for delay in retry_delays:
        queues[retry_queue_name(service, delay)] = {
            "x-queue-type": "quorum",
            "x-message-ttl": int(delay * 1000),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": main,
            **_SAFE_DEAD_LETTERING,
        }
    # The end of the line: no limit, no target. Listing dead letters (`rakor redrive --list`) hands
    # them back unacked, which counts as a return; a limit here would destroy what it lists.
    # RabbitMQ 4 gives every quorum queue a limit of 20 when none is set; there `-1` means none, but
    # 3.10 reads -1 as "dead-letter at the first return" (checked: the message was gone), so the
    # move to RabbitMQ 4 must add `"x-delivery-limit": -1` here, with a queue move (bus_setup).
    queues[dead] = {"x-queue-type": "quorum"}
    return queues


def declare_topology(channel, retry_delays: tuple[float, ...]) -> None:
    """Declare exchange, queues, retry tiers and dead-letter queues of every service (idempotent).

    An existing queue declared with other arguments (a classic queue of an older layout) makes the
    broker close the channel with 406 PRECONDITION_FAILED; `python -m deploy.bus_setup` says which
    queue and how to move it (see README, "Moving to quorum queues").
    """
    channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
    for service, event_types in SUBSCRIPTIONS.items():
        requeue = requeue_exchange_name(service)
        # The requeue exchange first: the main queue dead-letters into it.
        channel.exchange_declare(requeue, exchange_type="direct", durable=True)
        for queue, arguments in queue_arguments(service, retry_delays).items():
            channel.queue_declare(queue, durable=True, arguments=arguments)
        for event_type in event_types:
            channel.queue_bind(queue_name(service), EXCHANGE, routing_key=event_type)
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
        if exc.reply_code == 406:
            log.error(
                "%s: a queue of the layout exists with other arguments (%s): stop the workers and run "
                '`python -m deploy.bus_setup --migrate-queues` (README, "Moving to quorum queues")',
                service,
                exc.reply_text,
            )
        if exc.reply_code != 403:
            raise
        log.info("%s: broker user may not declare the layout (%s); checking the one the setup step declared", service, exc.reply_text)
        check_topology(connection.channel(), service, retry_delays, consumes=consumes)


def declare_layout(admin_url: str, retry_delays: tuple[float, ...]) -> None:
    """Declare the whole layout over a connection with a privileged user (the operator's setup step)."""
    from shared.messaging.connection import node_parameters, open_blocking

    connection = open_blocking(node_parameters(admin_url, name="rakor-bus-setup"))
    try:
        declare_topology(connection.channel(), retry_delays)
    finally:
        connection.close()
