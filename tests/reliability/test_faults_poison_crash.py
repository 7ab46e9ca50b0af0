"""A message that kills its consumer process on every delivery ends in the dead-letter queue, not in an endless crash loop.

The broker counts a delivery returned by a dead consumer against the main queue's delivery limit
(quorum queues, shared.messaging.topology.DELIVERY_LIMIT); past it, the message is dead-lettered
at-least-once to the service's dead-letter queue, where `rakor redrive` finds it. The worker is
restarted after each crash, as an orchestrator would.
"""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from sqlalchemy import create_engine, text

from shared.messaging.outbox import build_envelope
from shared.messaging.redrive import redrive
from shared.messaging.topology import DELIVERY_LIMIT, dead_letter_queue_name, queue_name
from tests.reliability.crashing_worker import EVENT_TYPE, POISON, SERVICE

pytestmark = pytest.mark.slow

SIGSEGV_EXIT = -11


def joined(registration_id: str) -> dict:
    return build_envelope(
        "streaming", EVENT_TYPE, {"registration_id": registration_id, "event_id": "rapat-koordinasi", "at": dt.datetime.now(dt.UTC)}
    )


def wait_until_true(condition, timeout: float, what: str, every: float = 0.2):
    """Yield every `every` seconds until `condition()` holds; fail the test naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout} s", pytrace=False)
        yield
        time.sleep(every)


def effects(database) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'effects'")).first():
                return {}
            return dict(conn.execute(text("SELECT registration_id, count(*) FROM effects GROUP BY registration_id")).all())
    finally:
        engine.dispose()


def test_a_message_that_segfaults_its_worker_every_time_is_dead_lettered_after_the_delivery_limit(bus, start_process, tmp_path):
    database = tmp_path / "effects.db"
    before = [joined(f"sebelum-{n}") for n in range(3)]
    poison = joined(POISON)
    after = [joined(f"sesudah-{n}") for n in range(3)]
    for envelope in [*before, poison, *after]:
        bus.publish_raw(EVENT_TYPE, envelope)

    def settled() -> bool:
        return (
            bus.queue_depth(dead_letter_queue_name(SERVICE)) == 1
            and bus.queue_depth(queue_name(SERVICE)) == 0
            and len(effects(database)) == 6
        )

    crashes = 0
    worker = start_process(["python", "-m", "tests.reliability.crashing_worker", bus.url, str(database)])
    # Restart the worker whenever it dies, until the poison sits in the dead-letter queue and the rest took effect.
    for _ in wait_until_true(lambda: settled(), timeout=120, what="the poison dead-lettered and the good messages handled"):
        if worker.running:
            continue
        assert worker.returncode == SIGSEGV_EXIT, worker.tail()
        assert "crashing on the poison message" in worker.output()
        crashes += 1
        assert crashes <= DELIVERY_LIMIT + 1, f"still crashing after {crashes} deliveries of the poison"
        worker = start_process(["python", "-m", "tests.reliability.crashing_worker", bus.url, str(database)])
    assert worker.running, worker.tail()
    assert crashes == DELIVERY_LIMIT + 1  # the first delivery and DELIVERY_LIMIT redeliveries
    listing = io.StringIO()
    assert redrive(bus.url, SERVICE, list_only=True, out=listing) == 1
    assert listing.getvalue() == f"- {EVENT_TYPE} delivery_limit: its consumer died holding it on every delivery\n"
    dead = bus.queue_messages(dead_letter_queue_name(SERVICE), timeout=10, expect=1)
    assert [message.json()["id"] for message in dead] == [poison["id"]]
    first_death = dead[0].headers.get("x-first-death-reason")
    assert first_death == "delivery_limit", dead[0].headers
    assert effects(database) == {e["data"]["registration_id"]: 1 for e in [*before, *after]}
    print(
        f"FAULTS poison crash: the worker segfaulted {crashes} times on one message (delivery limit {DELIVERY_LIMIT}), "
        f"then the broker dead-lettered it ({first_death}); the 6 good messages around it took effect once each"
    )
