"""Registration purges idempotent replies after 2 days, processed-event marks after 30, sent outbox rows after 7."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text, update

from services.registration.api.context import EXTENSION
from services.registration.operations import purge_expired
from shared.messaging.outbox_store import outbox


def test_idempotent_replies_are_kept_two_days(api, agency, event):
    sessions = api.app.extensions[EXTENSION].session_factory
    headers = {"Idempotency-Key": "daftar-rina-1"}
    first = api.register(agency, event["id"], headers=headers, full_name="Rina Wulandari")
    now = dt.datetime.now(dt.UTC)
    assert purge_expired(sessions, 90, now=now + dt.timedelta(days=1, hours=23))["idempotent_replies"] == 0
    assert purge_expired(sessions, 90, now=now + dt.timedelta(days=2, minutes=1))["idempotent_replies"] == 1
    with api.app.extensions["rakor_engine"].connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM idempotency_keys")).scalar() == 0
    assert first["participant"]["full_name"] == "Rina Wulandari"


def test_processed_marks_and_sent_outbox_rows_are_purged_after_their_retention(api, agency, event):
    sessions = api.app.extensions[EXTENSION].session_factory
    api.register(agency, event["id"])
    engine = api.app.extensions["rakor_engine"]
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        rows = connection.execute(text("SELECT count(*) FROM outbox")).scalar()
        connection.execute(update(outbox).values(sent_at=now - dt.timedelta(days=7, minutes=1)))
        connection.execute(
            text(
                "INSERT INTO processed_events (event_id, event_type, processed_at) VALUES ('e-old', 'stream.joined', :old), ('e-new', 'stream.joined', :new)"
            ),
            {"old": now - dt.timedelta(days=31), "new": now - dt.timedelta(days=29)},
        )
    counts = purge_expired(sessions, 90, now=now)
    assert (counts["sent_outbox"], counts["processed_events"]) == (rows, 1) and rows >= 2
    with engine.connect() as connection:
        assert connection.execute(text("SELECT event_id FROM processed_events")).scalars().all() == ["e-new"]
