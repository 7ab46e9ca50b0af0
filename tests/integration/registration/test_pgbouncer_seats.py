"""Through PgBouncer in transaction pooling mode, 200 simultaneous registrations for a small meeting still never oversell.

The API runs under gunicorn with DB_POOLER=transaction; its workers hold more client connections
than the pooler has server connections for the database, so transactions of different workers
share server connections in turn: a seat lock or setting that outlived its transaction would show.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.factories.registration import meeting_body, participant
from tests.fixtures.pgbouncer import SERVER_POOL_SIZE
from tests.integration.registration.harness import ADMIN_TOKEN, serve_under_gunicorn

CAPACITY, REGISTRATIONS = 12, 200
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.pgbouncer]


@pytest.fixture
def served(start_process, pg_url_factory, pgbouncer, tmp_path):
    """The registration API under gunicorn (3 workers) through the pooler; (base URL, direct database URL)."""
    direct = pg_url_factory()
    return serve_under_gunicorn(start_process, tmp_path, pgbouncer.url_for(direct), DB_POOLER="transaction"), direct


def test_two_hundred_simultaneous_registrations_through_pgbouncer_fill_exactly_the_seats_then_the_waitlist_in_order(served):
    base, direct = served
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    agency = requests.post(
        f"{base}/v1/agencies",
        json={"name": "Dinas Kominfo Kabupaten Sleman", "kind": "regency", "contact_email": "humas@slemankab.go.id"},
        headers=admin,
        timeout=30,
    ).json()
    event = requests.post(f"{base}/v1/events", json=meeting_body(in_person_capacity=CAPACITY), headers=admin, timeout=30).json()
    local = threading.local()

    def register(_: int) -> requests.Response:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        return session.post(
            f"{base}/v1/events/{event['id']}/registrations",
            json=participant(),
            headers={"Authorization": f"Bearer {agency['api_key']}"},
            timeout=60,
        )

    # More requests in flight (3 workers with their threads) than server connections in the pool.
    with ThreadPoolExecutor(max_workers=3 * SERVER_POOL_SIZE) as pool:
        answers = list(pool.map(register, range(REGISTRATIONS)))

    assert [r.status_code for r in answers] == [201] * REGISTRATIONS, {r.status_code: r.text for r in answers if r.status_code != 201}
    answered = {r.json()["id"]: r.json() for r in answers}
    engine = create_engine(direct)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, status, waitlist_position FROM registrations WHERE event_id = :e"), {"e": event["id"]}
            ).all()
            # Outbox ids come from a sequence drawn while the meeting's seat lock is held: their order
            # is the order in which the registrations got the lock.
            outbox = connection.execute(
                text("SELECT id, body FROM outbox WHERE event_type IN ('registration.confirmed', 'registration.waitlisted')")
            ).all()
    finally:
        engine.dispose()
    assert len(rows) == REGISTRATIONS
    confirmed = [r for r in rows if r.status == "confirmed"]
    waitlisted = [r for r in rows if r.status == "waitlisted"]
    assert len(confirmed) == CAPACITY and len(waitlisted) == REGISTRATIONS - CAPACITY
    assert sorted(r.waitlist_position for r in waitlisted) == list(range(1, REGISTRATIONS - CAPACITY + 1))
    assert all(answered[r.id]["status"] == r.status and answered[r.id]["waitlist_position"] == r.waitlist_position for r in rows)
    turn = {json.loads(body)["data"]["registration_id"]: outbox_id for outbox_id, body in outbox}
    assert len(turn) == REGISTRATIONS
    in_line = sorted(waitlisted, key=lambda r: r.waitlist_position)
    assert max(turn[r.id] for r in confirmed) < turn[in_line[0].id]
    assert [turn[r.id] for r in in_line] == sorted(turn[r.id] for r in in_line)
