"""Through RabbitMQ: the consumer runner with the notification handlers, retry queues and the dead-letter queue."""

from __future__ import annotations

import json
import threading
import time

import pika
import pytest

from services.notification.handlers import HANDLERS
from shared.messaging.consumer import Consumer
from shared.messaging.topology import dead_letter_queue_name, declare_topology, queue_name, retry_queue_name
from tests.factories.envelopes import make_envelope
from tests.factories.notification import make_participant, make_registration

RETRY_DELAYS = (0.2, 0.5)


def _purge(amqp_url: str) -> None:
    # Other tests in this vhost publish registration events too; start from empty notification queues.
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        declare_topology(channel, RETRY_DELAYS)
        for name in [queue_name("notification"), dead_letter_queue_name("notification")] + [
            retry_queue_name("notification", d) for d in RETRY_DELAYS
        ]:
            channel.queue_purge(name)
    finally:
        connection.close()


def _dead_letters(amqp_url: str, timeout: float = 10.0) -> list:
    deadline = time.monotonic() + timeout
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        while time.monotonic() < deadline:
            method, properties, body = channel.basic_get(dead_letter_queue_name("notification"), auto_ack=True)
            if method is not None:
                return [(properties.headers, body)]
            time.sleep(0.1)
        return []
    finally:
        connection.close()


@pytest.fixture
def running_consumer(amqp_url, harness):
    _purge(amqp_url)
    consumer = Consumer(
        "notification", amqp_url, HANDLERS, harness.session_factory, deps=harness.courier, concurrency=4, retry_delays=RETRY_DELAYS
    )
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    assert consumer.wait_ready(15)
    yield consumer
    consumer.stop()
    thread.join(30)


def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_event_on_the_bus_is_mailed_once_even_when_delivered_twice(running_consumer, bus, harness, smtp_server):
    body = make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    bus.publish_raw("registration.confirmed", body)
    bus.publish_raw("registration.confirmed", body)
    smtp_server.wait_for(1)
    _until(lambda: running_consumer.settled >= 2)
    assert len(smtp_server.messages) == 1


def test_smtp_451_is_retried_through_the_retry_queue(running_consumer, bus, harness, smtp_server):
    smtp_server.fail_next(451)
    bus.publish_raw(
        "registration.confirmed", make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    )
    smtp_server.wait_for(1, timeout=15)
    _until(lambda: [n.status for n in harness.notifications()] == ["sent"])
    [row] = harness.notifications()
    assert [a.outcome for a in row.attempts] == ["transient", "sent"]


def test_poison_message_goes_to_the_dead_letter_queue_and_the_consumer_carries_on(running_consumer, bus, amqp_url, smtp_server):
    bus.publish_raw("registration.confirmed", b"{this is not json")
    bus.publish_raw(
        "registration.confirmed", make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    )
    smtp_server.wait_for(1)
    [(headers, body)] = _dead_letters(amqp_url)
    assert body == b"{this is not json" and headers["x-rakor-reason"] == "bad-json"


def test_retries_used_up_leave_the_notification_dead_and_the_message_dead_lettered(running_consumer, bus, amqp_url, harness, smtp_server):
    smtp_server.fail_next(451, times=10)
    body = make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    bus.publish_raw("registration.confirmed", body)
    [(headers, dead_body)] = _dead_letters(amqp_url, timeout=15)
    assert json.loads(dead_body)["id"] == json.loads(body)["id"] and headers["x-rakor-reason"] == "retries-exhausted"
    [row] = harness.notifications()
    assert row.status == "dead" and row.attempt_count == 3
