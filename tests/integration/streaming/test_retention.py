"""Streaming purges a meeting's participants RETENTION_DAYS after its end, old processed marks and sent outbox rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select, text

from services.streaming.models import Participant
from services.streaming.retention import purge_expired
from shared.messaging.outbox_store import outbox
from tests.factories.streaming import make_meeting, make_registration


def _participants(session_factory, event_id):
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Participant).where(Participant.event_id == event_id))


def test_participants_of_a_meeting_are_purged_only_after_the_retention_and_the_purge_is_idempotent(session_factory, feed):
    now = dt.datetime.now(dt.UTC)
    old = make_meeting(starts_at=(now - dt.timedelta(days=100, hours=3)).isoformat(), ends_at=(now - dt.timedelta(days=100)).isoformat())
    recent = make_meeting(starts_at=(now - dt.timedelta(days=80, hours=3)).isoformat(), ends_at=(now - dt.timedelta(days=80)).isoformat())
    for meeting in (old, recent):
        feed("event.created", {**meeting, "changed_fields": []})
        feed("registration.confirmed", make_registration(meeting))
        feed("registration.confirmed", make_registration(meeting))
    counts = purge_expired(session_factory, 90, now=now)
    assert counts["participants"] == 2
    assert (_participants(session_factory, old["id"]), _participants(session_factory, recent["id"])) == (0, 2)
    assert purge_expired(session_factory, 90, now=now)["participants"] == 0
    assert purge_expired(session_factory, 30, now=now)["participants"] == 2


def test_processed_marks_after_30_days_and_sent_outbox_rows_after_7_are_purged(session_factory, feed, meeting):
    now = dt.datetime.now(dt.UTC)
    feed("registration.confirmed", make_registration(meeting))
    with session_factory() as session:
        marks = session.scalar(text("SELECT count(*) FROM processed_events"))
        for n, sent_days_ago in enumerate((8, 6, None)):
            sent_at = None if sent_days_ago is None else now - dt.timedelta(days=sent_days_ago)
            body = '{"join_url": "https://rakor.example/j/token"}'
            session.execute(
                insert(outbox).values(event_id=f"e-{n}", event_type="stream.link_issued", body=body, created_at=now, sent_at=sent_at)
            )
        session.commit()
    assert marks == 2
    counts = purge_expired(session_factory, 90, now=now)
    assert (counts["processed_events"], counts["sent_outbox"]) == (0, 1)
    counts = purge_expired(session_factory, 90, now=now + dt.timedelta(days=29))
    assert (counts["processed_events"], counts["sent_outbox"]) == (0, 1)
    counts = purge_expired(session_factory, 90, now=now + dt.timedelta(days=31))
    assert (counts["processed_events"], counts["sent_outbox"]) == (2, 0)
    with session_factory() as session:
        assert session.execute(select(outbox.c.event_id)).scalars().all() == ["e-2"]
