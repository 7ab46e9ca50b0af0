"""Replicas behind a proxy: two API processes on different ports share one budget per agency and per client in the real Redis.

Each process runs two gunicorn workers, so four workers count in the same Redis keys. TRUSTED_PROXIES=1
says one proxy appends to X-Forwarded-For: the client is its last address, whatever the client wrote
before it. Every test uses a key prefix of its own, so runs and tests never share a budget.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
import redis
import requests

from tests.fixtures.processes import free_port, gunicorn_argv

REDIS_URL = "redis://127.0.0.1:6379/0"
ADMIN_TOKEN = "rakor-uji-batas-bersama-2021"


@pytest.fixture
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis does not answer at {REDIS_URL}: {exc}")
    prefix = f"rakor-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def start_replicas(start_process, tmp_path, service: str, prefix: str, **extra: str) -> list[str]:
    """Two processes of `service` on one database and one Redis; returns their base URLs."""
    env = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / (service + '.db')}",
        "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:1/%2F",  # the APIs serve without the broker
        "RATE_LIMIT_STORAGE_URL": REDIS_URL,
        "RATE_LIMIT_KEY_PREFIX": prefix,
        "TRUSTED_PROXIES": "1",
        **extra,
    }
    bases = []
    for _ in range(2):
        port = free_port()
        start_process(
            gunicorn_argv(f"services.{service}.app:create_app()", port), env=env, health_url=f"http://127.0.0.1:{port}/healthz", timeout=60
        )
        bases.append(f"http://127.0.0.1:{port}")
    return bases


def make_agency(base: str, name: str, email: str) -> str:
    body = {"name": name, "kind": "province", "contact_email": email}
    response = requests.post(f"{base}/v1/agencies", json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["api_key"]


def test_an_agency_has_one_budget_across_replicas_and_workers(start_process, tmp_path, redis_prefix):
    bases = start_replicas(start_process, tmp_path, "registration", redis_prefix, AGENCY_RATE_LIMIT="6")
    busy = {"Authorization": f"Bearer {make_agency(bases[0], 'Diskominfo Provinsi Jawa Tengah', 'humas@jatengprov.go.id')}"}
    other = {"Authorization": f"Bearer {make_agency(bases[0], 'Biro Humas Provinsi Bali', 'humas@baliprov.go.id')}"}
    replicas = itertools.cycle(bases)
    statuses = [requests.get(f"{next(replicas)}/v1/events", headers=busy, timeout=10).status_code for _ in range(9)]
    assert statuses == [200] * 6 + [429] * 3  # in memory each of the four workers would have allowed 6
    refused = requests.get(f"{bases[1]}/v1/events", headers=busy, timeout=10)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert requests.get(f"{bases[1]}/v1/events", headers=other, timeout=10).status_code == 200


def test_bulk_rows_spend_the_agency_budget_on_every_replica(start_process, tmp_path, redis_prefix):
    bases = start_replicas(start_process, tmp_path, "registration", redis_prefix, AGENCY_RATE_LIMIT="5")
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    key = make_agency(bases[0], "Diskominfo Kota Surabaya", "diskominfo@surabaya.go.id")
    meeting = requests.post(
        f"{bases[0]}/v1/events",
        json={
            "title": "Rapat Koordinasi Pranata Humas",
            "starts_at": "2031-12-01T09:00:00+07:00",
            "ends_at": "2031-12-01T16:00:00+07:00",
            "timezone": "Asia/Jakarta",
            "venue": {"name": "Hotel Aviary", "address": "Jl. Raya Sudimara Pinang No. 88", "city": "Tangerang Selatan"},
            "in_person_capacity": 10,
        },
        headers=admin,
        timeout=10,
    ).json()
    rows = [{"full_name": f"Peserta {n}", "email": f"peserta{n}@surabaya.go.id", "attendance_mode": "online"} for n in range(4)]
    agency = {"Authorization": f"Bearer {key}"}
    bulk = requests.post(
        f"{bases[0]}/v1/events/{meeting['id']}/registrations/bulk", json={"registrations": rows}, headers=agency, timeout=30
    )
    assert bulk.status_code == 200, bulk.text
    # Four rows spent four of five units: one more request, on the other replica, then 429.
    statuses = [requests.get(f"{bases[1]}/v1/events", headers=agency, timeout=10).status_code for _ in range(2)]
    assert statuses == [200, 429]


def test_failed_join_lookups_are_counted_per_client_across_replicas(start_process, tmp_path, redis_prefix):
    bases = start_replicas(start_process, tmp_path, "streaming", redis_prefix, JOIN_RATE_LIMIT="4")
    replicas = itertools.cycle(bases)

    def guess(client_address: str, n: int, forged: str | None = None) -> int:
        # The proxy appends the address it saw; a client may have written anything before it.
        forwarded = f"{forged}, {client_address}" if forged else client_address
        return requests.get(f"{next(replicas)}/j/tebakan-{n}", headers={"X-Forwarded-For": forwarded}, timeout=10).status_code

    guesser = "203.0.113.7"
    statuses = [guess(guesser, n, forged=f"10.0.0.{n}") for n in range(6)]
    assert statuses == [404] * 4 + [429] * 2
    assert guess("198.51.100.20", 99) == 404


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(start_process, tmp_path, redis_prefix):
    bases = start_replicas(start_process, tmp_path, "streaming", redis_prefix, JOIN_RATE_LIMIT="2", TRUSTED_PROXIES="0")
    statuses = [
        requests.get(f"{bases[n % 2]}/j/tebakan-{n}", headers={"X-Forwarded-For": f"198.51.100.{n}"}, timeout=10).status_code
        for n in range(3)
    ]
    assert statuses == [404, 404, 429]
