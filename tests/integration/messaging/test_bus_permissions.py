"""Least privilege on the bus, against the real broker: each service's user, made by deploy.bus_setup with rabbitmqctl in a fresh vhost.

RabbitMQ itself refuses what a service's user may not do (channel closed with 403 ACCESS_REFUSED),
while the real relays and consumers run with those users.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import pika
import pika.exceptions
import pytest

from deploy import bus_setup
from shared.messaging.consumer import Consumer
from shared.messaging.errors import PermanentError, TransientError
from shared.messaging.outbox import build_envelope
from shared.messaging.relay import publish_pending
from shared.messaging.topology import EXCHANGE, dead_letter_queue_name, queue_name
from shared.settings import SERVICES
from tests.integration.messaging.conftest import EVENT_TYPE, RETRY_DELAYS, drain_queue, record_effect
from tests.integration.messaging.test_relay import start, wait_until

pytestmark = [
    pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="rabbitmqctl is needed to create the broker users"),
    # One xdist worker runs the module, so its users are made once.
    pytest.mark.xdist_group("bus-permissions"),
]


def with_user(amqp_url: str, user: str, password: str) -> str:
    parts = urlsplit(amqp_url)
    return urlunsplit((parts.scheme, f"{user}:{password}@{parts.netloc.rsplit('@', 1)[1]}", parts.path, parts.query, parts.fragment))


@pytest.fixture(scope="module")
def vhost_url(rabbitmq) -> str:
    """One fresh vhost for this module: creating users with rabbitmqctl costs seconds per call."""
    return rabbitmq.new_vhost_url()[1]


@pytest.fixture(scope="module")
def restricted(vhost_url) -> dict[str, str]:
    """service -> an AMQP URL of the module's vhost as that service's own user (created by deploy.bus_setup)."""
    prefix = f"rakor-test-{uuid.uuid4().hex[:6]}-"
    passwords = {service: uuid.uuid4().hex for service in SERVICES}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RABBITMQ_ADMIN_URL", vhost_url)
        patch.setenv("RETRY_DELAYS", ",".join(str(d) for d in RETRY_DELAYS))
        for service, password in passwords.items():
            patch.setenv(bus_setup.password_variable(service), password)
        assert bus_setup.main(["--rabbitmqctl", "--user-prefix", prefix]) == 0
    yield {service: with_user(vhost_url, f"{prefix}{service}", password) for service, password in passwords.items()}
    for service in SERVICES:
        subprocess.run(["rabbitmqctl", "--quiet", "delete_user", f"{prefix}{service}"], capture_output=True, timeout=60)


def joined(registration_id: str) -> bytes:
    envelope = build_envelope(
        "streaming", EVENT_TYPE, {"registration_id": registration_id, "event_id": "m1", "at": dt.datetime.now(dt.UTC)}
    )
    return json.dumps(envelope, default=str).encode()


def publish(url: str, routing_key: str, body: bytes = b"{}", exchange: str = EXCHANGE) -> None:
    """Publish with a confirm; raises ChannelClosedByBroker when the broker refuses."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.basic_publish(exchange, routing_key, body, pika.BasicProperties(delivery_mode=2))
    finally:
        if connection.is_open:
            connection.close()


def refused(action) -> int:
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as caught:
        action()
    return caught.value.reply_code


def test_streaming_user_cannot_forge_a_registration_event_but_publishes_its_own(restricted):
    publish(restricted["streaming"], "stream.joined")
    assert refused(lambda: publish(restricted["streaming"], "registration.confirmed")) == 403
    assert refused(lambda: publish(restricted["streaming"], "event.updated")) == 403


def test_registration_user_publishes_event_and_registration_types_only(restricted):
    publish(restricted["registration"], "registration.confirmed")
    publish(restricted["registration"], "event.cancelled")
    assert refused(lambda: publish(restricted["registration"], "stream.link_issued")) == 403


def test_notification_user_publishes_nothing_on_the_events_exchange(restricted):
    assert refused(lambda: publish(restricted["notification"], "registration.confirmed")) == 403
    assert refused(lambda: publish(restricted["notification"], "stream.joined")) == 403


@pytest.mark.parametrize("service", SERVICES)
def test_no_user_may_write_into_queues_through_the_default_exchange(restricted, service):
    assert refused(lambda: publish(restricted[service], queue_name("notification"), exchange="")) == 403


def test_a_user_reads_only_its_own_queues_and_declares_nothing(restricted):
    connection = pika.BlockingConnection(pika.URLParameters(restricted["streaming"]))
    try:
        connection.channel().basic_get(queue_name("streaming"))
        assert refused(lambda: connection.channel().basic_get(queue_name("registration"))) == 403
        assert refused(lambda: connection.channel().basic_get(dead_letter_queue_name("notification"))) == 403
        assert refused(lambda: connection.channel().queue_declare("rakor.streaming.extra", durable=True)) == 403
        assert refused(lambda: connection.channel().queue_bind(queue_name("streaming"), EXCHANGE, routing_key="#")) == 403
    finally:
        connection.close()


def test_relay_with_its_own_user_publishes_its_events_and_not_another_services(restricted, messaging_db):
    ids = messaging_db.record(3)  # stream.joined events, as the streaming outbox holds them
    assert publish_pending(messaging_db.engine, restricted["streaming"], producer="streaming", timeout=30) == len(ids)
    assert messaging_db.pending() == 0
    # With registration's user the broker refuses them: nothing is marked sent, nothing is lost.
    messaging_db.record(2, prefix="palsu")
    assert publish_pending(messaging_db.engine, restricted["registration"], producer="registration", timeout=3) == 0
    assert messaging_db.pending() == 2


def test_consumer_with_its_own_user_handles_retries_and_dead_letters(restricted, vhost_url, messaging_db):
    attempts: dict[str, int] = {}

    def flaky(event, ctx):
        registration_id = event.data["registration_id"]
        attempts[registration_id] = attempts.get(registration_id, 0) + 1
        if registration_id == "racun":
            raise PermanentError("never works")
        if attempts[registration_id] == 1:
            raise TransientError("first attempt fails")
        record_effect(event, ctx)

    drain_queue(vhost_url, queue_name("registration"))  # what earlier tests of the module published
    consumer = Consumer(
        "registration",
        restricted["registration"],
        {EVENT_TYPE: flaky},
        messaging_db.session_factory,
        deps=messaging_db.effects,
        retry_delays=RETRY_DELAYS,
    )
    thread = start(consumer.run)
    try:
        assert consumer.wait_ready(10), "the consumer attached with the restricted user"
        publish(restricted["streaming"], EVENT_TYPE, joined("baik"))
        publish(restricted["streaming"], EVENT_TYPE, joined("racun"))
        wait_until(lambda: messaging_db.effects_by_registration() == {"baik": 1}, 15, "the retried message took effect")
        dead = []
        wait_until(
            lambda: dead.extend(drain_queue(vhost_url, dead_letter_queue_name("registration"))) or dead,
            15,
            "the poison went to the dead-letter queue",
        )
        assert dead[0][1].headers["x-rakor-reason"] == "permanent"
    finally:
        consumer.stop()
        thread.join(15)


@pytest.mark.parametrize("service", SERVICES)
def test_each_services_real_worker_runs_with_its_own_user(restricted, service, start_process, tmp_path):
    env = {
        "RAKOR_ENV": "dev",
        "RABBITMQ_URL": restricted[service],
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / (service + '.db')}",
        "RETRY_DELAYS": ",".join(str(d) for d in RETRY_DELAYS),
    }
    worker = start_process(["python", "-m", f"services.{service}.worker"], env=env)
    alive = tmp_path / f"{service}-worker.alive"
    wait_until(lambda: alive.exists() or worker.returncode is not None, 60, f"the {service} worker attached to its queue")
    assert worker.returncode is None, worker.tail()
    assert "may not declare the layout" in worker.output()
    assert worker.stop() == 0
