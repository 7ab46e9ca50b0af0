"""A burst of poison messages on every service's queue: each is dead-lettered with its reason, and real work goes on."""

from __future__ import annotations

import collections
import datetime as dt
import json

import pytest
from sqlalchemy import create_engine, text

from shared.messaging.outbox import build_envelope
from shared.messaging.topology import dead_letter_queue_name, queue_name
from shared.schemas.events import load_payload
from tests.factories.envelopes import make_envelope
from tests.factories.notification import make_link_issued, make_participant, make_registration
from tests.reliability.conftest import wait_until

pytestmark = pytest.mark.slow

COPIES = 10
# For each service: an event type it subscribes to, used for a payload its schema refuses.
SUBSCRIBED = {"registration": "stream.joined", "notification": "registration.confirmed", "streaming": "registration.confirmed"}


def poison_for(service: str) -> list[tuple[str, bytes]]:
    """(the reason the consumer must give, body) for each kind of message that can never be handled."""
    return [
        ("bad-json", b'{"id": "tidak lengkap'),
        ("bad-json", b"\xff\xfe\x00rusak"),
        ("invalid-envelope", b'["bukan", "objek"]'),
        ("invalid-envelope", json.dumps({"id": "bukan-uuid", "type": SUBSCRIBED[service]}).encode()),
        ("unknown-type", make_envelope("meeting.exploded", {}, producer="registration")),
        ("unsupported-version", make_envelope(SUBSCRIBED[service], {}, producer="registration", version=99)),
        ("invalid-payload", make_envelope(SUBSCRIBED[service], {"registration_id": 42}, producer="registration")),
    ]


def processed(database_url: str, event_id: str) -> bool:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM processed_events WHERE event_id = :id"), {"id": event_id}).first() is not None
    except Exception:  # noqa: BLE001 - the worker may not have created its tables yet
        return False
    finally:
        engine.dispose()


def test_poison_burst_on_every_queue_is_dead_lettered_with_reasons_while_good_messages_are_handled(rig, bus, smtp_server):
    for service in SUBSCRIBED:
        env = smtp_server.env() if service == "notification" else {}
        rig.background(service, "worker", **env)
    expected: dict[str, collections.Counter] = {}
    for service in SUBSCRIBED:
        kinds = poison_for(service) * COPIES
        expected[service] = collections.Counter(reason for reason, _ in kinds)
        for _reason, body in kinds:
            bus.publish_raw(queue_name(service), body, exchange="")

    participant = make_participant(email="ayu.lestari@diskominfo.baliprov.go.id")
    registration = make_registration(attendance_mode="online", participant=participant)
    good = {
        "registration": build_envelope(
            "streaming",
            "stream.joined",
            {"registration_id": registration["registration_id"], "event_id": registration["event_id"], "at": dt.datetime.now(dt.UTC)},
        ),
        "notification": build_envelope(
            "streaming", "stream.link_issued", load_payload("stream.link_issued", make_link_issued(registration))
        ),
        "streaming": build_envelope("registration", "registration.confirmed", load_payload("registration.confirmed", registration)),
    }
    for message in good.values():
        bus.publish_raw(message["type"], message)

    for service, message in good.items():
        url = rig.service_env(service)["DATABASE_URL"]
        wait_until(
            lambda url=url, message=message: processed(url, message["id"]), 60, f"{service} handling its good message after the poison"
        )
    mails = smtp_server.wait_for(2, timeout=30)  # the link and the confirmation of the same participant
    assert {r for m in mails for r in m.rcpt_tos} == {participant["email"]}

    summary = {}
    for service, reasons in expected.items():
        dead = bus.queue_messages(dead_letter_queue_name(service), timeout=30, expect=sum(reasons.values()))
        got = collections.Counter(message.headers.get("x-rakor-reason") for message in dead)
        assert got == reasons, (service, got)
        assert all(message.headers.get("x-rakor-error") for message in dead)
        summary[service] = len(dead)
    print(
        f"FAULTS poison: {summary} dead-lettered with reasons {dict(expected['notification'])} per queue; good messages handled on all three"
    )
