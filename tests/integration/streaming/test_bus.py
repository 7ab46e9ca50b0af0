"""On the real broker: published links, revocations and joins reach `rakor.events` once each."""

from __future__ import annotations

from services.streaming.api import EXTENSION
from shared.messaging.relay import publish_pending
from tests.factories.streaming import make_registration
from tests.integration.streaming.probes import ADMIN, outbox_events, set_channels, token_of


def engine_of(app):
    return app.extensions[EXTENSION].session_factory.kw["bind"]


def test_publishing_puts_exactly_one_link_event_per_participant_on_the_bus(app, client, feed, meeting, amqp_url, bus):
    registrations = [make_registration(meeting) for _ in range(40)]
    for registration in registrations:
        feed("registration.confirmed", registration)
    set_channels(client, meeting["id"])
    watch = bus.tap("stream.link_issued")
    assert client.post(f"/v1/events/{meeting['id']}/publish", headers=ADMIN).status_code == 202
    assert client.post(f"/v1/events/{meeting['id']}/publish", headers=ADMIN).get_json()["issued"] == 0

    assert publish_pending(engine_of(app), amqp_url, producer="streaming") == 40

    watch.wait_for(40)
    seen = watch.drain(0.5)  # a second event per person would arrive right behind
    assert len(seen) == 40
    assert sorted(e["data"]["registration_id"] for e in seen) == sorted(r["registration_id"] for r in registrations)
    assert all(e["producer"] == "streaming" and e["data"]["join_url"].count("/j/") == 1 for e in seen)


def test_a_cancellation_puts_one_revocation_on_the_bus(app, client, feed, meeting, amqp_url, bus):
    registration = make_registration(meeting)
    feed("registration.confirmed", registration)
    set_channels(client, meeting["id"])
    client.post(f"/v1/events/{meeting['id']}/publish", headers=ADMIN)
    watch = bus.tap("stream.link_revoked")
    feed.cancel(registration)
    publish_pending(engine_of(app), amqp_url, producer="streaming")
    watch.wait_for(1)
    [revoked] = watch.drain(0.3)
    assert revoked["data"] == {"registration_id": registration["registration_id"], "event_id": meeting["id"], "reason": "cancelled"}


def test_every_visit_puts_one_join_on_the_bus(app, client, feed, session_factory, meeting, amqp_url, bus):
    registration = make_registration(meeting)
    feed("registration.confirmed", registration)
    set_channels(client, meeting["id"])
    client.post(f"/v1/events/{meeting['id']}/publish", headers=ADMIN)
    watch = bus.tap("stream.joined")
    publish_pending(engine_of(app), amqp_url, producer="streaming")
    token = token_of(outbox_events(session_factory, "stream.link_issued")[0])
    for _ in range(3):
        assert client.get(f"/j/{token}").status_code == 302
    assert publish_pending(engine_of(app), amqp_url, producer="streaming") == 3
    watch.wait_for(3)
    seen = watch.drain(0.3)
    assert len(seen) == 3 and len({e["id"] for e in seen}) == 3
    assert {e["data"]["registration_id"] for e in seen} == {registration["registration_id"]}
