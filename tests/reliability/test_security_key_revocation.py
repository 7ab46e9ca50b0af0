"""Revoked and rotated agency keys stop on every gunicorn worker within a second, whatever each worker cached."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.reliability.conftest import RegistrationClient

WITHIN = 1.0  # seconds: the spec's bound for every replica


def statuses(base: str, headers: dict[str, str], n: int = 24) -> list[int]:
    """n requests from 4 threads at once, on new connections: both sync workers take some."""

    def one(_):
        return requests.get(f"{base}/v1/events", headers={**headers, "Connection": "close"}, timeout=5).status_code

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(n)))


def last_success_after(base: str, headers: dict[str, str], start: float, watch: float) -> float | None:
    """Poll from `start` for `watch` seconds; how long after `start` the key last worked (None: never)."""
    last = None
    while time.monotonic() - start < watch:
        answers = statuses(base, headers, n=8)
        now = time.monotonic() - start
        assert set(answers) <= {200, 401}, answers
        if 200 in answers:
            last = now
    return last


@pytest.fixture
def api(rig):
    client = RegistrationClient(rig.api("registration"))  # gunicorn -w 2, one SQLite file
    return client


def test_a_revoked_key_is_refused_by_both_workers_within_a_second(api):
    agency = api.make_agency()
    headers = {"Authorization": f"Bearer {agency['api_key']}"}
    assert statuses(api.base_url, headers) == [200] * 24  # now in both workers' key caches
    revoked = time.monotonic()
    response = requests.delete(f"{api.base_url}/v1/agencies/{agency['id']}/keys", headers=api.admin, timeout=5)
    assert response.status_code == 204
    last = last_success_after(api.base_url, headers, revoked, watch=WITHIN + 0.5)
    assert last is None or last < WITHIN, f"the revoked key still worked {last:.2f} s after the revocation"
    assert statuses(api.base_url, headers) == [401] * 24


def test_a_rotated_key_works_through_its_grace_then_stops_on_both_workers(api):
    agency = api.make_agency()
    old = {"Authorization": f"Bearer {agency['api_key']}"}
    assert statuses(api.base_url, old) == [200] * 24
    grace = 2
    rotated = time.monotonic()
    response = requests.post(f"{api.base_url}/v1/agencies/{agency['id']}/keys", json={"grace_seconds": grace}, headers=api.admin, timeout=5)
    assert response.status_code == 201
    new = {"Authorization": f"Bearer {response.json()['api_key']}"}
    assert statuses(api.base_url, old, n=8) == [200] * 8 and statuses(api.base_url, new, n=8) == [200] * 8
    last = last_success_after(api.base_url, old, rotated, watch=grace + WITHIN + 0.5)
    assert last is not None and last < grace + WITHIN, f"the old key worked until {last} s after a rotation with {grace} s grace"
    assert statuses(api.base_url, old) == [401] * 24 and statuses(api.base_url, new) == [200] * 24
