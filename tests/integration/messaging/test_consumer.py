"""The consumer runner: dead letters for poison, retries with delays, effect once, heartbeats, graceful stop."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
import threading
import time

import pika
import pytest

from shared.messaging.consumer import Consumer
from shared.messaging.errors import PermanentError, TransientError
from shared.messaging.outbox import build_envelope
from shared.messaging.topology import EXCHANGE, dead_letter_queue_name, queue_name
from tests.integration.messaging.conftest import EVENT_TYPE, RETRY_DELAYS, SERVICE, drain_queue, record_effect
from tests.integration.messaging.test_relay import start, wait_until


def joined(registration_id: str) -> dict:
    return build_envelope("streaming", EVENT_TYPE, {"registration_id": registration_id, "event_id": "m1", "at": dt.datetime.now(dt.UTC)})


def publish(amqp_url: str, *bodies, routing_key: str = EVENT_TYPE) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    for body in bodies:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        channel.basic_publish(EXCHANGE, routing_key, raw, pika.BasicProperties(delivery_mode=2), mandatory=True)
    connection.close()


@pytest.fixture
def run_consumer(messaging_db, broker):
    """Start a consumer of the test service in a thread with the given handler; stopped at teardown."""
    started = []

    def _run(handler=record_effect, **options) -> Consumer:
        consumer = Consumer(
            SERVICE,
            broker,
            {EVENT_TYPE: handler},
            messaging_db.session_factory,
            deps=messaging_db.effects,
            retry_delays=RETRY_DELAYS,
            **options,
        )
        started.append((consumer, start(consumer.run)))
        assert consumer.wait_ready(10)
        return consumer

    yield _run
    for consumer, thread in started:
        consumer.stop()
        thread.join(15)


def test_poison_messages_are_dead_lettered_with_a_reason_and_the_next_good_one_is_handled(messaging_db, broker, run_consumer):
    run_consumer()
    wrong_version = dict(joined("v"), version=99)
    unknown_type = dict(joined("u"), type="registration.teleported")
    invalid_payload = dict(joined("p"), data={"registration_id": 7})
    bad_envelope = {"hello": "world"}
    publish(broker, b"{not json", b"[1, 2]", bad_envelope, wrong_version, unknown_type, invalid_payload, joined("good"))

    wait_until(lambda: "good" in messaging_db.effects_by_registration(), 10, "the good message took effect")
    dead = collect_dead_letters(broker, 6)
    reasons = sorted(properties.headers["x-rakor-reason"] for _, properties in dead)
    assert reasons == sorted(["bad-json", "invalid-envelope", "invalid-envelope", "unsupported-version", "unknown-type", "invalid-payload"])
    assert all(properties.headers["x-rakor-error"] for _, properties in dead)
    assert messaging_db.effects_by_registration() == {"good": 1}


def collect_dead_letters(amqp_url: str, count: int, timeout: float = 15) -> list:
    collected: list = []

    def enough() -> bool:
        collected.extend(drain_queue(amqp_url, dead_letter_queue_name(SERVICE)))
        return len(collected) >= count

    wait_until(enough, timeout, f"{count} messages are dead-lettered")
    return collected


def test_transient_failure_is_retried_after_its_delay_with_the_attempt_count(messaging_db, broker, run_consumer):
    attempts: list[tuple[int, float]] = []

    def flaky(event, ctx):
        attempts.append((event.attempt, time.monotonic()))
        if event.attempt < 3:
            raise TransientError("SMTP 451 try again")
        record_effect(event, ctx)

    run_consumer(flaky)
    publish(broker, joined("flaky"))

    wait_until(lambda: messaging_db.effects_by_registration() == {"flaky": 1}, 15, "the third attempt succeeded")
    assert [attempt for attempt, _ in attempts] == [1, 2, 3]
    assert attempts[1][1] - attempts[0][1] >= RETRY_DELAYS[0] * 0.9
    assert attempts[2][1] - attempts[1][1] >= RETRY_DELAYS[1] * 0.9
    with messaging_db.engine.connect() as conn:
        assert conn.execute(messaging_db.effects.select()).first().attempt == 3


def test_retries_used_up_and_permanent_errors_go_to_the_dead_letter_queue(messaging_db, broker, run_consumer):
    def failing(event, ctx):
        if event.data["registration_id"] == "permanent":
            raise PermanentError("SMTP 550 mailbox unavailable")
        raise TransientError("still down")

    run_consumer(failing)
    publish(broker, joined("permanent"), joined("transient"))

    dead = collect_dead_letters(broker, 2)
    by_reason = {properties.headers["x-rakor-reason"]: properties.headers for _, properties in dead}
    assert set(by_reason) == {"permanent", "retries-exhausted"}
    assert by_reason["retries-exhausted"]["x-rakor-attempt"] == len(RETRY_DELAYS) + 1
    assert "550" in by_reason["permanent"]["x-rakor-error"]
    assert messaging_db.effects_by_registration() == {}


def test_a_redelivered_message_takes_effect_once(messaging_db, broker, run_consumer):
    run_consumer()
    envelope = joined("twice")
    publish(broker, envelope, envelope, envelope, joined("marker"))

    wait_until(lambda: "marker" in messaging_db.effects_by_registration(), 10, "the marker took effect")
    time.sleep(0.3)
    assert messaging_db.effects_by_registration() == {"twice": 1, "marker": 1}


@pytest.mark.slow
def test_a_handler_slower_than_the_heartbeat_is_not_redelivered(messaging_db, broker, run_consumer):
    calls: list[int] = []

    def slow(event, ctx):
        calls.append(event.attempt)
        time.sleep(7)
        record_effect(event, ctx)

    run_consumer(slow, heartbeat=2)
    publish(broker, joined("slow"))

    wait_until(lambda: messaging_db.effects_by_registration() == {"slow": 1}, 20, "the slow handler finished")
    assert calls == [1]


def test_sigterm_finishes_the_message_in_hand_and_exits_zero(messaging_db, broker, start_process, database_url):
    process = start_process(
        [sys.executable, "-m", "tests.integration.messaging.processes", "consumer", database_url, broker, "--handler-seconds", "2"]
    )
    publish(broker, joined("in-hand"))
    wait_until(lambda: "handling in-hand" in process.output(), 15, "the consumer took the message")

    os.kill(process.pid, signal.SIGTERM)
    process.wait(20)
    assert process.returncode == 0
    assert "consumer stopped" in process.output()
    assert messaging_db.effects_by_registration() == {"in-hand": 1}
    assert drain_queue(broker, queue_name(SERVICE)) == [], "the message was not acked"


def test_redrive_moves_dead_letters_back_and_they_are_handled_once_fixed(messaging_db, broker, run_consumer):
    from shared.messaging.redrive import redrive

    broken = {"on": True}

    def until_fixed(event, ctx):
        if broken["on"]:
            raise PermanentError("template missing")
        record_effect(event, ctx)

    run_consumer(until_fixed)
    publish(broker, joined("later"))
    wait_until(lambda: redrive(broker, SERVICE, list_only=True) == 1, 10, "the message is dead-lettered")

    broken["on"] = False
    assert redrive(broker, SERVICE) == 1

    wait_until(lambda: messaging_db.effects_by_registration() == {"later": 1}, 10, "the re-driven message took effect")


def test_a_hung_handler_is_retried_after_its_deadline_and_the_worker_reports_unhealthy(messaging_db, broker, run_consumer, tmp_path):
    release = threading.Event()

    def hangs_on_first_attempt(event, ctx):
        if event.attempt == 1:
            release.wait(60)  # a handler stuck on a socket without a timeout
            return
        record_effect(event, ctx)

    heartbeat_file = tmp_path / "registration-worker.alive"
    consumer = run_consumer(hangs_on_first_attempt, handler_timeout=1.0, heartbeat_file=heartbeat_file)
    wait_until(heartbeat_file.exists, 5, "the heartbeat file is written while healthy")
    publish(broker, joined("macet"))

    wait_until(lambda: _gauge("rakor_consumer_handlers_overdue") == 1, 10, "the handler is reported past its deadline")
    assert consumer.healthy is False and consumer.overdue == 1
    assert _gauge("rakor_consumer_healthy") == 0
    stale_since = heartbeat_file.stat().st_mtime
    # The message went to the retry tier and its second attempt took effect, while the first still hangs.
    wait_until(lambda: messaging_db.effects_by_registration() == {"macet": 1}, 10, "the retried attempt took effect")
    time.sleep(6)  # longer than the heartbeat interval (5 s): the file must not have been touched
    assert heartbeat_file.stat().st_mtime == stale_since

    release.set()
    wait_until(lambda: _gauge("rakor_consumer_healthy") == 1, 10, "the worker is healthy again once the handler returned")
    assert consumer.healthy and _gauge("rakor_consumer_handlers_overdue") == 0
    assert messaging_db.effects_by_registration() == {"macet": 1}


def _gauge(name: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, {"service": SERVICE})
