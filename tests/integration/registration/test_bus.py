"""On the real broker: the relay process publishes the outbox, the worker process records online joins."""

from __future__ import annotations

import collections
import datetime as dt
import time
import uuid

import pytest

from services.registration.app import create_app
from tests.integration.registration.bus_tap import Tap, delete_vhost, private_vhost_url
from tests.integration.registration.conftest import registration_settings
from tests.integration.registration.harness import ADMIN_TOKEN, RegistrationApi

REGISTRATION_EVENTS = ("event.created", "event.updated", "registration.*")


@pytest.fixture(scope="module")
def bus_url(request):
    url, vhost = private_vhost_url(request)
    yield url
    delete_vhost(vhost)


@pytest.fixture
def wired(bus_url, sqlite_url_factory, tmp_path):
    """An app on a SQLite file and the environment its relay and worker processes share."""
    database_url = sqlite_url_factory()
    app = create_app(registration_settings(database_url, tmp_path, RABBITMQ_URL=bus_url))
    env = {"RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path), "RABBITMQ_URL": bus_url}
    yield RegistrationApi(app), env
    app.extensions["rakor_engine"].dispose()


def test_relay_publishes_each_state_change_once(wired, bus_url, start_process):
    api, env = wired
    relay = start_process(["python", "-m", "services.registration.relay"], env=env)
    agency = api.make_agency()
    tap = Tap(bus_url, "", *REGISTRATION_EVENTS)  # bound before the meeting exists, so event.created is caught too
    event = api.make_event(in_person_capacity=1)
    tap.event_id = event["id"]
    try:
        api.client.patch(f"/v1/events/{event['id']}", json={"starts_at": "2031-12-01T08:30:00+07:00"}, headers=api.admin)
        seated = api.register(agency, event["id"])
        waiting = api.register(agency, event["id"])
        api.client.delete(f"/v1/registrations/{seated['id']}", headers=agency["headers"])
        envelopes = tap.wait_for(6)
    finally:
        tap.close()
    assert relay.running
    kinds = collections.Counter(e["type"] for e in envelopes)
    assert kinds == {
        "event.created": 1,
        "event.updated": 1,
        "registration.confirmed": 1,
        "registration.waitlisted": 1,
        "registration.cancelled": 1,
        "registration.promoted": 1,
    }
    assert len({e["id"] for e in envelopes}) == 6 and {e["producer"] for e in envelopes} == {"registration"}
    promoted = next(e for e in envelopes if e["type"] == "registration.promoted")
    assert promoted["data"]["registration_id"] == waiting["id"] and promoted["data"]["meeting"]["sequence"] == 1


def test_worker_records_online_joins_from_the_bus(wired, bus_url, start_process):
    api, env = wired
    agency = api.make_agency()
    event = api.make_event()
    online = api.register(agency, event["id"], attendance_mode="online")
    start_process(["python", "-m", "services.registration.worker"], env=env)
    at = dt.datetime(2031, 12, 1, 2, 1, tzinfo=dt.UTC)
    envelope = {
        "id": str(uuid.uuid4()),
        "type": "stream.joined",
        "version": 1,
        "occurred_at": at.isoformat(),
        "producer": "streaming",
        "correlation_id": None,
        "data": {"registration_id": online["id"], "event_id": event["id"], "at": at.isoformat(), "channel_kind": "zoom"},
    }
    tap = Tap(bus_url, event["id"])
    try:
        tap.publish("stream.joined", envelope)
        tap.publish("stream.joined", envelope)  # a redelivery: counted once
    finally:
        tap.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        [row] = api.client.get(f"/v1/events/{event['id']}/attendance", headers=api.admin).json["participants"]
        if row["online_joined_at"]:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    [row] = api.client.get(f"/v1/events/{event['id']}/attendance", headers=api.admin).json["participants"]
    assert row["attended"] is True and row["online_join_count"] == 1


def test_relay_publishes_event_cancelled_with_the_meeting_and_its_reminders(wired, bus_url, start_process):
    api, env = wired
    start_process(["python", "-m", "services.registration.relay"], env=env)
    tap = Tap(bus_url, "", "event.*")
    event = api.make_event(reminders=[{"before": "P1D", "at": "08:00"}])
    tap.event_id = event["id"]
    try:
        reason = "Rapat ditunda karena banjir di lokasi."
        assert api.client.post(f"/v1/events/{event['id']}/cancel", json={"reason": reason}, headers=api.admin).status_code == 200
        envelopes = tap.wait_for(2)
    finally:
        tap.close()
    assert [e["type"] for e in envelopes] == ["event.created", "event.cancelled"]
    created, cancelled = (e["data"] for e in envelopes)
    assert created["reminders"] == [{"before": "P1D", "at": "08:00"}] and created["status"] == "scheduled"
    assert (cancelled["status"], cancelled["reason"], cancelled["reminders"]) == ("cancelled", reason, created["reminders"])
