"""Publishing issues exactly one personal link per eligible participant, each announced once through the outbox."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import text

from shared.web.auth import hash_secret
from tests.factories.streaming import YOUTUBE_URL, make_registration
from tests.integration.streaming.probes import ADMIN, PUBLIC_BASE_URL, outbox_events, set_channels, token_of


def publish(client, event_id):
    return client.post(f"/v1/events/{event_id}/publish", headers=ADMIN)


def test_publish_issues_one_link_and_one_event_per_eligible_participant(client, feed, session_factory, meeting):
    online = [make_registration(meeting) for _ in range(5)]
    for registration in online:
        feed("registration.confirmed", registration)
    feed("registration.confirmed", make_registration(meeting, mode="in_person"))
    feed("registration.waitlisted", make_registration(meeting, status="waitlisted", waitlist_position=1))
    feed.cancel(make_registration(meeting))
    set_channels(client, meeting["id"])

    response = publish(client, meeting["id"])

    assert response.status_code == 202
    assert (response.get_json()["issued"], response.get_json()["active_links"]) == (5, 5)
    issued = outbox_events(session_factory, "stream.link_issued")
    assert sorted(e["data"]["registration_id"] for e in issued) == sorted(r["registration_id"] for r in online)
    with session_factory() as session:
        assert session.execute(text("SELECT count(*) FROM links")).scalar() == 5


def test_the_link_event_carries_what_the_notification_service_mails(client, feed, session_factory, meeting):
    registration = make_registration(meeting)
    feed("registration.confirmed", registration)
    set_channels(client, meeting["id"])
    publish(client, meeting["id"])
    [envelope] = outbox_events(session_factory, "stream.link_issued")
    data = envelope["data"]
    assert envelope["producer"] == "streaming" and envelope["version"] == 1
    assert data["join_url"].startswith(f"{PUBLIC_BASE_URL}/j/")
    assert data["youtube_url"] == YOUTUBE_URL
    assert sorted(data["channel_kinds"]) == ["youtube", "zoom"]
    # The meeting ID goes beside the link (normalized to digits); the passcode never leaves streaming.
    assert data["zoom_meeting_id"] == "81234567890"
    assert "humas21" not in json.dumps(envelope)
    assert data["participant"]["full_name"] == registration["participant"]["full_name"]
    assert data["meeting"]["title"] == meeting["title"]


def test_tokens_are_long_random_and_stored_only_as_a_hash(client, feed, session_factory, meeting):
    for _ in range(3):
        feed("registration.confirmed", make_registration(meeting))
    set_channels(client, meeting["id"])
    publish(client, meeting["id"])
    tokens = [token_of(e) for e in outbox_events(session_factory, "stream.link_issued")]
    assert len(set(tokens)) == 3 and all(len(t) >= 43 for t in tokens)  # 32 random bytes
    with session_factory() as session:
        stored = set(session.execute(text("SELECT token_hash FROM links")).scalars())
    assert stored == {hash_secret(t) for t in tokens}


def test_publishing_twice_issues_no_second_link(client, feed, session_factory, meeting):
    feed("registration.confirmed", make_registration(meeting))
    set_channels(client, meeting["id"])
    first, second = publish(client, meeting["id"]), publish(client, meeting["id"])
    assert (first.get_json()["issued"], second.get_json()["issued"]) == (1, 0)
    assert second.get_json()["published_at"] == first.get_json()["published_at"]
    assert len(outbox_events(session_factory, "stream.link_issued")) == 1


def test_publishing_marks_the_meeting_published(client, meeting):
    set_channels(client, meeting["id"])
    publish(client, meeting["id"])
    assert client.get(f"/v1/events/{meeting['id']}/channels", headers=ADMIN).get_json()["published_at"] is not None


def test_publishing_without_a_channel_is_a_conflict(client, feed, session_factory, meeting):
    feed("registration.confirmed", make_registration(meeting))
    response = publish(client, meeting["id"])
    assert response.status_code == 409
    assert outbox_events(session_factory, "stream.link_issued") == []


def test_publishing_an_unknown_meeting_is_not_found(client):
    assert publish(client, str(uuid.uuid4())).status_code == 404


def test_publishing_to_many_participants_writes_every_link_and_event(client, feed, session_factory, meeting):
    # The bulk path (one validated template, bulk inserts in chunks or COPY) must stay exact past one chunk.
    add_eligible(session_factory, meeting, 2500, feed._clock)
    set_channels(client, meeting["id"])
    assert publish(client, meeting["id"]).get_json()["issued"] == 2500
    issued = outbox_events(session_factory, "stream.link_issued")
    assert len({e["data"]["registration_id"] for e in issued}) == 2500
    assert len({e["id"] for e in issued}) == 2500
    assert issued[-1]["data"]["participant"]["email"] == "peserta2499@pemda.go.id"
    with session_factory() as session:
        assert session.execute(text("SELECT count(*) FROM links WHERE revoked_at IS NULL")).scalar() == 2500


def add_eligible(session_factory, meeting, count: int, clock) -> list[str]:
    """Insert `count` eligible participants directly (fast); return their registration ids."""
    from services.streaming.models import Participant

    ids = [f"bulk-{n:05d}" for n in range(count)]
    with session_factory() as session:
        session.add_all(
            Participant(
                registration_id=rid,
                event_id=meeting["id"],
                full_name=f"Peserta {n}",
                email=f"peserta{n}@pemda.go.id",
                locale="id",
                attendance_mode="online",
                status="confirmed",
                eligible=True,
                last_event_at=clock,
                updated_at=clock,
            )
            for n, rid in enumerate(ids)
        )
        session.commit()
    return ids


def test_concurrent_publishes_and_arrivals_still_give_one_link_each(client, feed, session_factory, meeting, settings):
    # The meeting row lock (PostgreSQL) or the single writer (SQLite) serializes publishers and the
    # consumer; without it two publishers would both pick the same people.
    import threading

    from services.streaming import operations

    set_channels(client, meeting["id"])
    # Published once already, so the publishers below do not all update published_at (a lock of its own).
    assert publish(client, meeting["id"]).get_json()["issued"] == 0
    early = add_eligible(session_factory, meeting, 1500, feed._clock)
    late = [make_registration(meeting) for _ in range(5)]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run(work):
        start.wait()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [
        threading.Thread(target=run, args=(lambda: operations.publish_links(session_factory, settings, meeting["id"]),)) for _ in range(3)
    ]
    workers.append(threading.Thread(target=run, args=(lambda: [feed("registration.confirmed", r) for r in late],)))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    issued = [e["data"]["registration_id"] for e in outbox_events(session_factory, "stream.link_issued")]
    assert sorted(issued) == sorted(early + [r["registration_id"] for r in late])
