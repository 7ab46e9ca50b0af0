"""A node list against the real broker: a dead node is skipped for a live one, by the connection helper and by the running consumer and relay."""

import pika
import pytest

from shared.messaging import connection


def test_a_dead_node_in_the_list_is_skipped_for_a_live_one(rabbitmq):
    # 127.0.0.1:1 refuses at once; the live broker after it in the list takes the connection.
    live = pika.URLParameters(rabbitmq.base_url)
    url = f"{rabbitmq.base_url.replace(f':{live.port}', ':1')},127.0.0.1:{live.port}"
    opened = connection.open_blocking(connection.node_parameters(url, shuffle=False))
    try:
        assert opened.is_open
        assert connection.connected_node(opened).port == live.port
    finally:
        opened.close()
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        connection.open_blocking(connection.node_parameters("amqp://guest:guest@127.0.0.1:1/%2F,127.0.0.1:2"))


def with_dead_nodes(amqp_url: str) -> str:
    """`amqp_url` behind two nodes that refuse every connection (nothing listens on ports 1 and 2)."""
    live = pika.URLParameters(amqp_url)
    return f"{amqp_url.replace(f':{live.port}', ':1')},127.0.0.1:2,127.0.0.1:{live.port}"


def test_relay_and_consumer_reach_the_live_node_of_a_list_whatever_its_place(messaging_db, broker):
    from shared.messaging.consumer import Consumer
    from shared.messaging.relay import publish_pending
    from tests.integration.messaging.conftest import EVENT_TYPE, RETRY_DELAYS, SERVICE, record_effect
    from tests.integration.messaging.test_relay import start, wait_until

    url = with_dead_nodes(broker)
    ids = messaging_db.record(50)
    # The list is shuffled per connection: whichever node comes first, the relay ends on the live one.
    assert publish_pending(messaging_db.engine, url, producer="streaming") == len(ids)
    assert messaging_db.pending() == 0

    consumer = Consumer(
        SERVICE, url, {EVENT_TYPE: record_effect}, messaging_db.session_factory, deps=messaging_db.effects, retry_delays=RETRY_DELAYS
    )
    thread = start(consumer.run)
    try:
        assert consumer.wait_ready(15)
        wait_until(lambda: len(messaging_db.effects_by_registration()) == 50, 20, "every event is handled")
    finally:
        consumer.stop()
        thread.join(20)
    assert set(messaging_db.effects_by_registration().values()) == {1}
