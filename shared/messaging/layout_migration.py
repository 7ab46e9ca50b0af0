"""Moving an existing deployment's queues to the current layout (classic retry tiers and dead letters to quorum queues).

RabbitMQ never changes the arguments of an existing queue: declaring `rakor.notification.dead` as a
quorum queue where a classic one exists fails with 406 PRECONDITION_FAILED. `find_outdated` names
every queue of the layout whose arguments differ; `move_queue` replaces one, keeping its messages:

1. its messages are copied into a holding quorum queue `<name>.moving` (publisher confirms, then
   ack of the original: a crash duplicates a message, consumers' dedup absorbs it, none is lost);
2. the old queue is deleted and declared anew with the current arguments and bindings;
3. the held messages are moved back, and the holding queue is deleted.

Run it with the service's consumers stopped (a consumer attached to the old queue would keep it
busy, and one attached to nothing fails its checks until the move ends). Relays may keep running:
while the queue is gone, their events are unroutable, the broker returns them (mandatory publish)
and the relay leaves those rows pending and publishes them again later.
"""

from __future__ import annotations

import pika
import pika.exceptions

from shared.messaging.topology import EXCHANGE, SUBSCRIPTIONS, queue_arguments, queue_name, requeue_exchange_name

HOLDING_SUFFIX = ".moving"


def find_outdated(connection, retry_delays: tuple[float, ...]) -> list[tuple[str, str]]:
    """(queue, the broker's reason) for each existing queue of the layout declared with other arguments."""
    outdated = []
    for service in SUBSCRIPTIONS:
        for queue, arguments in queue_arguments(service, retry_delays).items():
            channel = connection.channel()
            try:
                channel.queue_declare(queue, passive=True)
            except pika.exceptions.ChannelClosedByBroker as exc:
                if exc.reply_code == 404:
                    continue  # not there yet: declaring it is not a migration
                raise
            try:
                channel.queue_declare(queue, durable=True, arguments=arguments)
            except pika.exceptions.ChannelClosedByBroker as exc:
                if exc.reply_code != 406:
                    raise
                outdated.append((queue, exc.reply_text))
                continue
            channel.close()
    return outdated


def _move_messages(channel, source: str, target: str) -> int:
    moved = 0
    while True:
        method, properties, body = channel.basic_get(source, auto_ack=False)
        if method is None:
            return moved
        # Default exchange, straight into `target`; confirmed before the original is acked.
        channel.basic_publish("", target, body, properties, mandatory=True)
        channel.basic_ack(method.delivery_tag)
        moved += 1


def _delete_if_drained(channel, holding: str) -> None:
    # Quorum queues refuse queue.delete with if-empty: count, then delete. Nothing publishes to a
    # holding queue but this module, so nothing can arrive in between.
    if channel.queue_declare(holding, passive=True).method.message_count == 0:
        channel.queue_delete(holding)


def finish_interrupted_moves(connection, retry_delays: tuple[float, ...]) -> int:
    """Move back what a holding queue still holds (a move stopped between steps 2 and 3); return how many."""
    moved = 0
    for service in SUBSCRIPTIONS:
        for queue in queue_arguments(service, retry_delays):
            channel = connection.channel()
            try:
                channel.queue_declare(queue + HOLDING_SUFFIX, passive=True)
            except pika.exceptions.ChannelClosedByBroker as exc:
                if exc.reply_code == 404:
                    continue
                raise
            channel.confirm_delivery()
            moved += _move_messages(channel, queue + HOLDING_SUFFIX, queue)
            _delete_if_drained(channel, queue + HOLDING_SUFFIX)
            channel.close()
    return moved


def _declare_one(channel, queue: str, retry_delays: tuple[float, ...]) -> None:
    """Declare `queue` with its current arguments and bindings, as declare_topology would, touching no other queue."""
    for service, event_types in SUBSCRIPTIONS.items():
        arguments = queue_arguments(service, retry_delays).get(queue)
        if arguments is None:
            continue
        channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
        channel.exchange_declare(requeue_exchange_name(service), exchange_type="direct", durable=True)
        channel.queue_declare(queue, durable=True, arguments=arguments)
        if queue == queue_name(service):
            for event_type in event_types:
                channel.queue_bind(queue, EXCHANGE, routing_key=event_type)
        else:
            channel.queue_bind(queue, requeue_exchange_name(service), routing_key=queue)
        return
    raise ValueError(f"{queue!r} is not a queue of the layout")


def move_queue(connection, queue: str, retry_delays: tuple[float, ...]) -> int:
    """Replace `queue` by one with the current arguments, keeping its messages; return how many were moved."""
    holding = queue + HOLDING_SUFFIX
    # A fresh channel per step: a channel that read the old queue keeps state about it, and
    # RabbitMQ 3.10 closes the connection when that channel then writes to a quorum queue of the
    # same name (function_clause in rabbit_classic_queue:update).
    channel = _confirming(connection)
    channel.queue_declare(holding, durable=True, arguments={"x-queue-type": "quorum"})
    moved = _move_messages(channel, queue, holding)
    channel.close()
    channel = connection.channel()
    channel.queue_delete(queue)
    _declare_one(channel, queue, retry_delays)
    channel.close()
    channel = _confirming(connection)
    _move_messages(channel, holding, queue)
    _delete_if_drained(channel, holding)
    channel.close()
    return moved


def _confirming(connection):
    channel = connection.channel()
    channel.confirm_delivery()
    return channel
