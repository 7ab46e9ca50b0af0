"""The read model of who may watch follows confirm, promote, cancel and mode changes; links follow it."""

from __future__ import annotations

import datetime as dt

from services.streaming.handlers import HANDLERS
from shared.messaging.handling import process_message
from shared.messaging.topology import SUBSCRIPTIONS
from tests.factories.streaming import make_meeting, make_registration
from tests.integration.streaming.probes import ADMIN, eligible, links_of, outbox_events, set_channels


def publish(client, meeting):
    set_channels(client, meeting["id"])
    assert client.post(f"/v1/events/{meeting['id']}/publish", headers=ADMIN).status_code == 202


def test_handlers_cover_exactly_the_streaming_subscriptions():
    assert set(HANDLERS) == set(SUBSCRIPTIONS["streaming"])


def test_confirmed_online_participant_becomes_eligible_and_in_person_does_not(feed, session_factory, meeting):
    online, in_person = make_registration(meeting), make_registration(meeting, mode="in_person")
    feed("registration.confirmed", online)
    feed("registration.confirmed", in_person)
    assert eligible(session_factory, online["registration_id"]) is True
    assert eligible(session_factory, in_person["registration_id"]) is False


def test_waitlisted_then_promoted_participant_becomes_eligible(feed, session_factory, meeting):
    registration = make_registration(meeting, status="waitlisted", waitlist_position=1)
    feed("registration.waitlisted", registration)
    assert eligible(session_factory, registration["registration_id"]) is False
    feed("registration.promoted", {**registration, "status": "confirmed", "waitlist_position": None})
    assert eligible(session_factory, registration["registration_id"]) is True


def test_after_publishing_a_newly_confirmed_participant_gets_a_link_automatically(client, feed, session_factory, meeting):
    publish(client, meeting)
    registration = make_registration(meeting)
    feed("registration.confirmed", registration)
    issued = outbox_events(session_factory, "stream.link_issued")
    assert [e["data"]["registration_id"] for e in issued] == [registration["registration_id"]]
    assert issued[0]["data"]["participant"]["email"] == registration["participant"]["email"]
    assert len(links_of(session_factory, registration["registration_id"])) == 1


def test_before_publishing_nobody_gets_a_link(feed, session_factory, meeting):
    feed("registration.confirmed", make_registration(meeting))
    assert outbox_events(session_factory, "stream.link_issued") == []


def test_a_promoted_participant_gets_a_link_after_publishing(client, feed, session_factory, meeting):
    publish(client, meeting)
    registration = make_registration(meeting, status="waitlisted", waitlist_position=3)
    feed("registration.waitlisted", registration)
    assert outbox_events(session_factory, "stream.link_issued") == []
    feed("registration.promoted", {**registration, "status": "confirmed", "waitlist_position": None})
    assert len(outbox_events(session_factory, "stream.link_issued")) == 1


def test_cancelling_revokes_the_link_and_announces_it(client, feed, session_factory, meeting):
    registration = make_registration(meeting)
    feed("registration.confirmed", registration)
    publish(client, meeting)
    feed.cancel(registration)
    assert eligible(session_factory, registration["registration_id"]) is False
    [(_, _, revoked_at, reason)] = links_of(session_factory, registration["registration_id"])
    assert revoked_at is not None and reason == "cancelled"
    revoked = outbox_events(session_factory, "stream.link_revoked")
    assert [(e["data"]["registration_id"], e["data"]["reason"]) for e in revoked] == [(registration["registration_id"], "cancelled")]


def test_cancelling_someone_without_a_link_announces_nothing(feed, session_factory, meeting):
    registration = make_registration(meeting)
    feed("registration.confirmed", registration)
    feed.cancel(registration)
    assert eligible(session_factory, registration["registration_id"]) is False
    assert outbox_events(session_factory, "stream.link_revoked") == []


def test_switching_to_in_person_revokes_and_back_online_issues_a_fresh_link(client, feed, session_factory, meeting):
    registration = make_registration(meeting)
    feed("registration.confirmed", registration)
    publish(client, meeting)
    in_person = feed.change_mode(registration, "in_person")
    assert eligible(session_factory, registration["registration_id"]) is False
    assert outbox_events(session_factory, "stream.link_revoked")[0]["data"]["reason"] == "in_person"
    feed.change_mode(in_person, "online")
    links = links_of(session_factory, registration["registration_id"])
    assert len(links) == 2
    assert links[0][2] is not None and links[1][2] is None  # the old link stays revoked
    tokens = [e["data"]["join_url"] for e in outbox_events(session_factory, "stream.link_issued")]
    assert len(tokens) == 2 and tokens[0] != tokens[1]


def test_a_late_older_event_does_not_undo_a_newer_state(client, feed, session_factory, meeting):
    registration = make_registration(meeting)
    now = dt.datetime.now(dt.UTC)
    data = {k: v for k, v in registration.items() if k not in ("status", "check_in_code", "waitlist_position")}
    feed("registration.cancelled", {**data, "previous_status": "confirmed"}, occurred_at=now)
    feed("registration.confirmed", registration, occurred_at=now - dt.timedelta(seconds=5))
    assert eligible(session_factory, registration["registration_id"]) is False


def test_the_same_event_delivered_twice_issues_one_link(client, feed, session_factory, meeting, settings):
    publish(client, meeting)
    body = feed.envelope("registration.confirmed", make_registration(meeting))
    outcomes = [
        process_message(body, attempt=1, handlers=HANDLERS, session_factory=session_factory, deps=settings).reason for _ in range(2)
    ]
    assert outcomes == ["handled", "duplicate"]
    assert len(outbox_events(session_factory, "stream.link_issued")) == 1


def test_meeting_details_come_from_event_created_and_updated(client, feed, session_factory):
    meeting = make_meeting()
    feed("event.created", {**meeting, "changed_fields": []})
    feed("event.updated", {**meeting, "title": "Rakor JFPH 2021", "sequence": 1, "changed_fields": ["title"]})
    feed("event.updated", {**meeting, "title": "Stale title", "sequence": 0, "changed_fields": ["title"]})
    body = client.get(f"/v1/events/{meeting['id']}/channels", headers=ADMIN).get_json()
    assert body["title"] == "Rakor JFPH 2021"


def test_a_registration_snapshot_makes_the_meeting_known(client, feed):
    meeting = make_meeting()
    feed("registration.confirmed", make_registration(meeting))
    assert client.get(f"/v1/events/{meeting['id']}/channels", headers=ADMIN).get_json()["title"] == meeting["title"]


def test_an_event_with_an_unusable_id_is_dead_lettered_at_once(feed, session_factory, settings, meeting):
    body = feed.envelope("registration.confirmed", make_registration(meeting, registration_id="x" * 200))
    outcome = process_message(body, attempt=1, handlers=HANDLERS, session_factory=session_factory, deps=settings)
    assert (outcome.action, outcome.reason) == ("dead", "permanent")
