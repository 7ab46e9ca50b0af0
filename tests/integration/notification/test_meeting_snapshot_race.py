"""Two handlers bring the same new meeting at once: the one whose insert loses keeps the newer snapshot.

On PostgreSQL the loser's INSERT … ON CONFLICT DO NOTHING waits for the winner's row and then does
nothing; psycopg reports -1 as its row count, so a row count is no answer to "did I insert?".
"""

from __future__ import annotations

import datetime as dt
import threading

import psycopg
import pytest
from sqlalchemy import select

from services.notification import store
from services.notification.models import Meeting, Reminder
from shared.db import make_engine, make_session_factory, migrate, unit_of_work, utcnow
from shared.schemas.events import load_payload
from tests.factories.notification import make_upcoming_meeting
from tests.fixtures.polling import wait_until
from tests.integration.notification.conftest import MIGRATIONS


@pytest.fixture
def pg_url(pg_url_factory) -> str:
    return pg_url_factory()


def _waiting_on_a_lock(pg_url: str) -> bool:
    dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return row[0] > 0


def test_the_loser_of_the_first_insert_returns_the_stored_newer_snapshot(pg_url):
    engine = make_engine(pg_url)
    migrate(engine, MIGRATIONS)
    session_factory = make_session_factory(engine)
    hour = [{"before": "PT1H"}]
    newer = load_payload("event.updated", make_upcoming_meeting(3 * 86400, hour, sequence=2, title="Rakor Pranata Humas (waktu baru)"))
    older = load_payload("event.created", make_upcoming_meeting(2 * 86400, hour, sequence=1))

    winner_inserted = threading.Event()
    release_winner = threading.Event()
    answers: dict[str, dict] = {}

    def winner():
        with unit_of_work(session_factory) as session:
            answers["winner"] = store.save_meeting(session, newer, utcnow())
            winner_inserted.set()
            release_winner.wait(30)

    def loser():
        with unit_of_work(session_factory) as session:
            answers["loser"] = store.save_meeting(session, older, utcnow())

    first = threading.Thread(target=winner)
    first.start()
    assert winner_inserted.wait(30)
    second = threading.Thread(target=loser)
    second.start()
    # The loser read no row (the winner's is not committed) and now waits on it inside its INSERT.
    wait_until(lambda: _waiting_on_a_lock(pg_url), timeout=30, what="the second insert waiting for the first")
    release_winner.set()
    first.join(30)
    second.join(30)

    assert answers["winner"]["sequence"] == 2
    assert answers["loser"]["sequence"] == 2 and answers["loser"]["title"] == "Rakor Pranata Humas (waktu baru)"
    with unit_of_work(session_factory) as session:
        stored = session.execute(select(Meeting.sequence)).scalars().all()
        armed = session.execute(select(Reminder.due_at).where(Reminder.status == "armed")).scalars().all()
    assert stored == [2]
    # Only the newer meeting's reminder is armed: the loser did not arm one for the old start.
    assert armed == [newer["starts_at"] - dt.timedelta(hours=1)]
    engine.dispose()
