"""Seats are never oversold: hundreds of simultaneous registrations through real gunicorn workers."""

from __future__ import annotations

import collections
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, text

from shared.messaging.relay import publish_pending
from tests.factories.registration import meeting_body, participant
from tests.integration.registration.bus_tap import Tap, delete_vhost, private_vhost_url
from tests.integration.registration.harness import ADMIN_TOKEN, serve_under_gunicorn

CAPACITY, QUOTA, AGENCIES, PER_AGENCY = 20, 8, 4, 60
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bus_url(request):
    url, vhost = private_vhost_url(request)
    yield url
    delete_vhost(vhost)


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)])
def served(request, start_process, sqlite_url_factory, tmp_path):
    """The registration API under gunicorn with 3 workers, and its database URL."""
    url = sqlite_url_factory() if request.param == "sqlite" else request.getfixturevalue("pg_url_factory")()
    return serve_under_gunicorn(start_process, tmp_path, url), url


def post(session: requests.Session, url: str, body: dict, token: str) -> requests.Response:
    return session.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_simultaneous_in_person_registrations_never_oversell(served, bus_url):
    base, database_url = served
    admin = requests.Session()
    keys = [
        post(
            admin,
            f"{base}/v1/agencies",
            {"name": f"Diskominfo Kabupaten {i}", "kind": "regency", "contact_email": f"humas{i}@kab.go.id"},
            ADMIN_TOKEN,
        ).json()
        for i in range(AGENCIES)
    ]
    event = post(admin, f"{base}/v1/events", meeting_body(in_person_capacity=CAPACITY, agency_in_person_quota=QUOTA), ADMIN_TOKEN).json()
    local = threading.local()
    tap = Tap(bus_url, event["id"], "registration.*")

    def register(agency: dict) -> tuple[str, requests.Response]:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        return agency["id"], post(session, f"{base}/v1/events/{event['id']}/registrations", participant(), agency["api_key"])

    jobs = [keys[i % AGENCIES] for i in range(AGENCIES * PER_AGENCY)]
    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(register, jobs))

    assert [r.status_code for _, r in answers] == [201] * len(jobs), {r.status_code: r.text for _, r in answers if r.status_code != 201}
    confirmed = collections.Counter(agency for agency, r in answers if r.json()["status"] == "confirmed")
    assert sum(confirmed.values()) == CAPACITY
    assert max(confirmed.values()) <= QUOTA
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, agency_id, status, waitlist_position, check_in_code FROM registrations")).all()
            events = connection.execute(text("SELECT event_type, body FROM outbox WHERE event_type LIKE 'registration.%'")).all()
        publish_pending(engine, bus_url, producer="registration")
        published = tap.wait_for(len(jobs))
    finally:
        tap.close()
        engine.dispose()
    assert sum(r.status == "confirmed" for r in rows) == CAPACITY
    per_agency = collections.Counter(r.agency_id for r in rows if r.status == "confirmed")
    assert per_agency == confirmed and max(per_agency.values()) <= QUOTA
    waiting = sorted(r.waitlist_position for r in rows if r.status == "waitlisted")
    assert waiting == list(range(1, len(jobs) - CAPACITY + 1))
    assert len({r.check_in_code for r in rows if r.status == "confirmed"}) == CAPACITY
    by_type = collections.Counter(e.event_type for e in events)
    assert by_type == {"registration.confirmed": CAPACITY, "registration.waitlisted": len(jobs) - CAPACITY}
    assert len({json.loads(e.body)["data"]["registration_id"] for e in events}) == len(jobs)
    on_the_bus = collections.Counter(e["type"] for e in published)
    assert on_the_bus == by_type and len({e["data"]["registration_id"] for e in published}) == len(jobs)
