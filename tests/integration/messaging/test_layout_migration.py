"""A deployment on the older layout (classic retry tiers and dead letters, main queues without a delivery limit) moved to quorum queues, messages kept."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pika
import pika.exceptions
import pytest

from deploy.bus_setup import migrate_layout
from shared.messaging import topology

DELAYS = (5, 30)


def declare_older_layout(channel) -> None:
    """The layout as it was before every queue became a quorum queue with a delivery limit."""
    channel.exchange_declare(topology.EXCHANGE, exchange_type="topic", durable=True)
    for service, event_types in topology.SUBSCRIPTIONS.items():
        main = topology.queue_name(service)
        channel.queue_declare(main, durable=True, arguments={"x-queue-type": "quorum"})
        for event_type in event_types:
            channel.queue_bind(main, topology.EXCHANGE, routing_key=event_type)
        for delay in DELAYS:
            channel.queue_declare(
                topology.retry_queue_name(service, delay),
                durable=True,
                arguments={"x-message-ttl": int(delay * 1000), "x-dead-letter-exchange": "", "x-dead-letter-routing-key": main},
            )
        channel.queue_declare(topology.dead_letter_queue_name(service), durable=True)
        requeue = topology.requeue_exchange_name(service)
        channel.exchange_declare(requeue, exchange_type="direct", durable=True)
        for queue in [*(topology.retry_queue_name(service, d) for d in DELAYS), topology.dead_letter_queue_name(service)]:
            channel.queue_bind(queue, requeue, routing_key=queue)


def test_setup_names_the_older_queues_then_moves_them_keeping_every_message(fresh_amqp_url, capsys):
    connection = pika.BlockingConnection(pika.URLParameters(fresh_amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    declare_older_layout(channel)
    waiting = {
        "rakor.notification": [b"menunggu-1", b"menunggu-2"],
        "rakor.notification.dead": [b"gagal-1"],
        "rakor.streaming.retry.30000ms": [b"ulang-1"],
    }
    for queue, bodies in waiting.items():
        for body in bodies:
            channel.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2, message_id=body.decode()))
    connection.close()

    outdated = dict(migrate_layout(fresh_amqp_url, DELAYS, migrate=False))
    every_queue = {q for service in topology.SUBSCRIPTIONS for q in topology.queue_arguments(service, DELAYS)}
    assert set(outdated) == every_queue  # main queues too: they lack the delivery limit
    assert "inequivalent arg" in outdated["rakor.notification.dead"]

    assert migrate_layout(fresh_amqp_url, DELAYS, migrate=True) == []
    assert migrate_layout(fresh_amqp_url, DELAYS, migrate=False) == []
    assert "rakor.notification moved to its current form with 2 messages" in capsys.readouterr().out

    connection = pika.BlockingConnection(pika.URLParameters(fresh_amqp_url))
    try:
        channel = connection.channel()
        topology.declare_topology(channel, DELAYS)  # what every process does at start: accepted now
        for queue, bodies in waiting.items():
            got = []
            while (message := channel.basic_get(queue, auto_ack=True))[0] is not None:
                got.append(message[2])
            assert got == bodies, queue
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as gone:
            connection.channel().queue_declare("rakor.notification.moving", passive=True)
        assert gone.value.reply_code == 404
    finally:
        if connection.is_open:
            connection.close()


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="rabbitmqctl is needed to create the broker users")
def test_bus_setup_refuses_with_exit_3_and_the_way_out_then_moves_with_migrate_queues(fresh_amqp_url, monkeypatch, capsys):
    from deploy import bus_setup
    from shared.settings import SERVICES

    connection = pika.BlockingConnection(pika.URLParameters(fresh_amqp_url))
    declare_older_layout(connection.channel())
    connection.close()
    prefix = f"rakor-test-{uuid.uuid4().hex[:6]}-"
    monkeypatch.setenv("RABBITMQ_ADMIN_URL", fresh_amqp_url)
    monkeypatch.setenv("RETRY_DELAYS", ",".join(map(str, DELAYS)))
    for service in SERVICES:
        monkeypatch.setenv(bus_setup.password_variable(service), uuid.uuid4().hex)
    try:
        assert bus_setup.main(["--rabbitmqctl", "--user-prefix", prefix]) == 3
        err = capsys.readouterr().err
        assert "queue 'rakor.notification.dead' was declared by an older layout" in err
        assert "--migrate-queues" in err and "stop the consumers" in err
        assert bus_setup.main(["--rabbitmqctl", "--user-prefix", prefix, "--migrate-queues"]) == 0
        assert "layout declared" in capsys.readouterr().out
    finally:
        for service in SERVICES:
            subprocess.run(["rabbitmqctl", "--quiet", "delete_user", f"{prefix}{service}"], capture_output=True, timeout=60)
