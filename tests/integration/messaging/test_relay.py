"""The outbox relay: every committed row reaches the bus, once, through cuts, kills and concurrent relays."""

from __future__ import annotations

import collections
import json
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from shared.messaging.consumer import Consumer
from shared.messaging.relay import OutboxRelay, publish_pending
from shared.messaging.topology import queue_name
from tests.integration.messaging.conftest import EVENT_TYPE, RETRY_DELAYS, SERVICE, drain_queue, record_effect


def wait_until(predicate, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting until {message}")


def via_proxy(amqp_url: str, port: int) -> str:
    parts = urlsplit(amqp_url)
    credentials = parts.netloc.rsplit("@", 1)[0]
    return urlunsplit((parts.scheme, f"{credentials}@127.0.0.1:{port}", parts.path, parts.query, parts.fragment))


def start(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_every_outbox_row_reaches_the_bound_queue_exactly_once_in_order(messaging_db, broker):
    ids = messaging_db.record(1500)

    confirmed = publish_pending(messaging_db.engine, broker, producer="streaming")

    assert confirmed == 1500
    assert messaging_db.pending() == 0
    delivered = drain_queue(broker, queue_name(SERVICE))
    assert [properties.message_id for _, properties in delivered] == ids
    first = json.loads(delivered[0][0])
    assert first["type"] == EVENT_TYPE and first["id"] == ids[0] and first["producer"] == "streaming"
    assert delivered[0][1].delivery_mode == 2


def test_two_relays_on_one_database_never_publish_a_row_twice(messaging_db, broker):
    ids = messaging_db.record(3000)
    relays = [OutboxRelay(messaging_db.engine, broker, producer="streaming", batch_size=100, poll_interval=0.01) for _ in range(2)]
    threads = [start(relay.run) for relay in relays]

    wait_until(lambda: messaging_db.pending() == 0, 30, "every row is sent")
    for relay in relays:
        relay.stop()
    for thread in threads:
        thread.join(10)

    delivered = [properties.message_id for _, properties in drain_queue(broker, queue_name(SERVICE))]
    assert sorted(delivered) == sorted(ids)
    assert all(relay.confirmed > 0 for relay in relays), "both relays should have taken a share"


def test_cut_broker_connections_lose_nothing_and_take_effect_once(messaging_db, broker, tcp_proxy):
    proxy = tcp_proxy("127.0.0.1", urlsplit(broker).port or 5672)
    url = via_proxy(broker, proxy.port)
    relay = OutboxRelay(messaging_db.engine, url, producer="streaming", batch_size=100, poll_interval=0.01, lease_seconds=2)
    consumer = Consumer(
        SERVICE, url, {EVENT_TYPE: record_effect}, messaging_db.session_factory, deps=messaging_db.effects, retry_delays=RETRY_DELAYS
    )
    threads = [start(relay.run), start(consumer.run)]
    ids: list[str] = []
    for round_no in range(3):
        ids += messaging_db.record(400, prefix=f"cut{round_no}-")
        target = len(ids) - 200
        wait_until(
            lambda target=target: sum(messaging_db.effects_by_registration().values()) >= target,
            60,
            f"{target} effects before cut {round_no}",
        )
        proxy.cut()
        time.sleep(0.3)
        proxy.restore()

    wait_until(lambda: len(messaging_db.effects_by_registration()) == len(ids), 90, "every event took effect")
    relay.stop()
    consumer.stop()
    for thread in threads:
        thread.join(15)

    effects = messaging_db.effects_by_registration()
    assert messaging_db.pending() == 0
    assert len(effects) == 1200
    assert set(effects.values()) == {1}, "an event took effect more than once"


@pytest.mark.slow
def test_relay_killed_with_sigkill_and_restarted_publishes_everything(messaging_db, broker, start_process, database_url):
    ids = messaging_db.record(4000)
    argv = [
        sys.executable,
        "-m",
        "tests.integration.messaging.processes",
        "relay",
        database_url,
        broker,
        "--batch",
        "50",
        "--throttle",
        "0.02",
        "--lease",
        "1",
    ]
    first = start_process(argv)
    wait_until(lambda: messaging_db.pending() < 3000, 30, "the first relay has published a quarter")
    first.kill()
    assert messaging_db.pending() > 0, "the relay finished before it could be killed; the test proves nothing"

    second = start_process(argv)
    wait_until(lambda: messaging_db.pending() == 0, 60, "the restarted relay has published the rest")
    second.stop()

    delivered = [properties.message_id for _, properties in drain_queue(broker, queue_name(SERVICE))]
    counts = collections.Counter(delivered)
    assert set(counts) == set(ids), "an outbox row never reached the queue"
    duplicates = sum(count - 1 for count in counts.values())
    # Only rows published but unconfirmed at the kill may be sent again: at most the in-flight window.
    assert duplicates <= 100
