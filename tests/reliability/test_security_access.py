"""Access and abuse limits of the three APIs, in process on SQLite: who may call what, rate limits, body size, secrets at rest.

The access matrix calls every endpoint as nobody, with a wrong token, as agency A, as agency B and
as the organizer. The notification and streaming services know only the organizer's token: an
agency key is an unknown token there (401), as is any other string.
"""

from __future__ import annotations

import importlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared.settings import load_settings
from tests.factories.registration import make_door_token

ADMIN_TOKEN = "uji-token-admin-rakor-akses"
CALLERS = ("none", "wrong", "agency_a", "agency_b", "admin")


def make_app(service: str, data_dir: Path, **extra: str) -> Any:
    environ = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "RAKOR_ENV": "dev",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / (service + '.db')}",
        "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:1/%2F",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    return importlib.import_module(f"services.{service}.app").create_app(load_settings(service, environ=environ))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def participant(n: int, mode: str = "in_person") -> dict[str, Any]:
    return {
        "full_name": f"Rina Marlina {n}",
        "email": f"rina.marlina{n}@jabarprov.go.id",
        "phone": f"08129{n:07d}",
        "attendance_mode": mode,
    }


MEETING = {
    "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
    "starts_at": "2031-12-01T09:00:00+07:00",
    "ends_at": "2031-12-01T12:00:00+07:00",
    "venue": {"name": "Hotel Aviary", "address": "Jl. Raya Sudimara Pinang No. 88, Bintaro", "city": "Tangerang Selatan"},
    "in_person_capacity": 50,
}


@dataclass
class World:
    """The registration app with two agencies, one meeting and one registration of each agency."""

    client: Any
    headers: dict[str, dict[str, str]]
    api_keys: list[str]
    event_id: str
    registration_a: dict[str, Any]
    registration_b: dict[str, Any]
    agency_a_id: str
    agency_b_id: str
    db_path: Path


def make_agency(client, name: str) -> dict[str, Any]:
    response = client.post(
        "/v1/agencies", json={"name": name, "kind": "province", "contact_email": "humas@example.go.id"}, headers=bearer(ADMIN_TOKEN)
    )
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def world(tmp_path) -> World:
    client = make_app("registration", tmp_path).test_client()
    agency_a = make_agency(client, "Biro Humas Provinsi Jawa Barat")
    agency_b = make_agency(client, "Diskominfo Kota Surabaya")
    headers = {
        "none": {},
        "wrong": bearer("rk_" + "x" * 43),
        "agency_a": bearer(agency_a["api_key"]),
        "agency_b": bearer(agency_b["api_key"]),
        "admin": bearer(ADMIN_TOKEN),
    }
    event_id = client.post("/v1/events", json=MEETING, headers=headers["admin"]).json["id"]
    reg_a = client.post(f"/v1/events/{event_id}/registrations", json=participant(1), headers=headers["agency_a"])
    reg_b = client.post(f"/v1/events/{event_id}/registrations", json=participant(2), headers=headers["agency_b"])
    assert reg_a.status_code == reg_b.status_code == 201
    return World(
        client,
        headers,
        [agency_a["api_key"], agency_b["api_key"]],
        event_id,
        reg_a.json,
        reg_b.json,
        agency_a["id"],
        agency_b["id"],
        tmp_path / "registration.db",
    )


def registration_matrix(w: World) -> list[tuple[str, str, Any, tuple[int, ...]]]:
    """(method, path, body, expected status per caller in CALLERS order); writes that succeed leave state usable."""
    e, ra = w.event_id, w.registration_a["id"]
    n = iter(range(100, 200))
    return [
        (
            "POST",
            "/v1/agencies",
            lambda: {"name": f"Biro Humas {next(n)}", "kind": "ministry", "contact_email": "humas@kemenkeu.go.id"},
            (401, 401, 403, 403, 201),
        ),
        ("GET", "/v1/agencies", None, (401, 401, 403, 403, 200)),
        ("POST", "/v1/events", lambda: MEETING, (401, 401, 403, 403, 201)),
        ("GET", "/v1/events", None, (401, 401, 200, 200, 200)),
        ("GET", f"/v1/events/{e}", None, (401, 401, 200, 200, 200)),
        ("PATCH", f"/v1/events/{e}", lambda: {"health_protocol": "Wajib bermasker."}, (401, 401, 403, 403, 200)),
        ("POST", f"/v1/events/{e}/registrations", lambda: participant(next(n), "online"), (401, 401, 201, 201, 403)),
        (
            "POST",
            f"/v1/events/{e}/registrations/bulk",
            lambda: {"registrations": [participant(next(n), "online")]},
            (401, 401, 200, 200, 403),
        ),
        ("GET", f"/v1/events/{e}/registrations", None, (401, 401, 200, 200, 200)),
        ("GET", f"/v1/registrations/{ra}", None, (401, 401, 200, 404, 200)),
        ("PATCH", f"/v1/registrations/{ra}", lambda: {"attendance_mode": "in_person"}, (401, 401, 200, 404, 200)),
        ("POST", f"/v1/events/{e}/check-ins", lambda: {"code": w.registration_a["check_in_code"]}, (401, 401, 403, 403, 200)),
        ("GET", f"/v1/events/{e}/stats", None, (401, 401, 200, 200, 200)),
        ("GET", f"/v1/events/{e}/attendance", None, (401, 401, 200, 200, 200)),
        ("GET", f"/v1/events/{e}/attendance?format=csv", None, (401, 401, 200, 200, 200)),
        ("GET", "/v1/events/00000000-0000-0000-0000-000000000000", None, (401, 401, 404, 404, 404)),
        ("GET", "/v1/registrations/00000000-0000-0000-0000-000000000000", None, (401, 401, 404, 404, 404)),
        ("GET", "/v1/events/00000000-0000-0000-0000-000000000000/stats", None, (401, 401, 404, 404, 404)),
        ("DELETE", "/v1/registrations/00000000-0000-0000-0000-000000000000", None, (401, 401, 404, 404, 404)),
        # Cancelling goes last: agency B may not, agency A may (then it is cancelled for the admin: 409).
        ("DELETE", f"/v1/registrations/{ra}", None, (401, 401, 200, 404, 409)),
    ]


def call(client, method: str, path: str, body, headers):
    return client.open(path, method=method, json=body() if callable(body) else None, headers=headers)


def test_every_registration_endpoint_answers_each_caller_as_the_spec_says(world):
    wrong: list[str] = []
    requests_sent = 0
    for method, path, body, expected in registration_matrix(world):
        # B before A: agency B's attempts on A's registration must fail while it still exists.
        for caller in ("none", "wrong", "agency_b", "agency_a", "admin"):
            status = call(world.client, method, path, body, world.headers[caller]).status_code
            requests_sent += 1
            want = expected[CALLERS.index(caller)]
            if status != want:
                wrong.append(f"{method} {path} as {caller}: {status}, expected {want}")
    assert not wrong, "\n".join(wrong)
    assert requests_sent == 100


def test_agency_b_never_sees_nor_changes_agency_a_registrations(world):
    client, a, b = world.client, world.registration_a, world.registration_b
    for _ in range(3):
        assert (
            client.post(
                f"/v1/events/{world.event_id}/registrations", json=participant(300 + _), headers=world.headers["agency_a"]
            ).status_code
            == 201
        )
    as_b = world.headers["agency_b"]
    listed = client.get(f"/v1/events/{world.event_id}/registrations?limit=100", headers=as_b).json["items"]
    assert [item["id"] for item in listed] == [b["id"]]
    assert client.patch(f"/v1/registrations/{a['id']}", json={"attendance_mode": "online"}, headers=as_b).status_code == 404
    assert client.delete(f"/v1/registrations/{a['id']}", headers=as_b).status_code == 404
    assert client.get(f"/v1/registrations/{a['id']}", headers=world.headers["agency_a"]).json["attendance_mode"] == "in_person"
    assert client.get(f"/v1/registrations/{a['id']}", headers=world.headers["agency_a"]).json["status"] == "confirmed"
    stats = client.get(f"/v1/events/{world.event_id}/stats", headers=as_b)
    attendance = client.get(f"/v1/events/{world.event_id}/attendance", headers=as_b)
    csv_text = client.get(f"/v1/events/{world.event_id}/attendance?format=csv", headers=as_b).get_data(as_text=True)
    for text in (stats.get_data(as_text=True), attendance.get_data(as_text=True), csv_text):
        assert world.agency_a_id not in text and a["id"] not in text and "rina.marlina1@" not in text
        assert "Jawa Barat" not in text
    assert b["id"] in attendance.get_data(as_text=True) and "rina.marlina2@" in csv_text
    admin_attendance = client.get(f"/v1/events/{world.event_id}/attendance", headers=world.headers["admin"]).get_data(as_text=True)
    assert a["id"] in admin_attendance and b["id"] in admin_attendance


SCOPED_CALLERS = ("door_own", "door_other", "door_revoked", "door_expired", "agency_revoked", "agency_rotated_out", "agency_rotated_in")


def scoped_headers(w: World) -> dict[str, dict[str, str]]:
    """Door tokens of the world's meeting and of another, a revoked and an expired one; revoked and rotated agency keys."""
    client, admin = w.client, bearer(ADMIN_TOKEN)
    other_event = client.post("/v1/events", json=MEETING, headers=admin).json["id"]
    own, other = make_door_token(client, w.event_id, admin, "Pintu utama"), make_door_token(client, other_event, admin, "Pintu lain")
    revoked, expired = make_door_token(client, w.event_id, admin, "Dicabut"), make_door_token(client, w.event_id, admin, "Kedaluwarsa")
    assert client.delete(f"/v1/door-tokens/{revoked['id']}", headers=admin).status_code == 204
    with sqlite3.connect(w.db_path) as connection:
        connection.execute("UPDATE door_tokens SET expires_at = '2021-01-01 00:00:00.000000' WHERE id = ?", (expired["id"],))
    revoked_agency = make_agency(client, "Biro Humas Kementerian Keuangan")
    assert client.delete(f"/v1/agencies/{revoked_agency['id']}/keys", headers=admin).status_code == 204
    rotated_in = client.post(f"/v1/agencies/{w.agency_b_id}/keys", json={"grace_seconds": 0}, headers=admin).json["api_key"]
    return {
        "door_own": bearer(own["token"]),
        "door_other": bearer(other["token"]),
        "door_revoked": bearer(revoked["token"]),
        "door_expired": bearer(expired["token"]),
        "agency_revoked": bearer(revoked_agency["api_key"]),
        "agency_rotated_out": w.headers["agency_b"],
        "agency_rotated_in": bearer(rotated_in),
    }


def scoped_matrix(w: World) -> list[tuple[str, str, Any, tuple[int, ...]]]:
    """(method, path, body, expected status per caller in SCOPED_CALLERS order)."""
    e, ra, rb = w.event_id, w.registration_a["id"], w.registration_b["id"]
    door = (200, 403, 401, 401, 401, 401, 403)  # the own door token; agency keys are refused at the door
    elsewhere = (403, 403, 401, 401, 401, 401, 200)  # a working door token is refused off its door
    admin_only = (403, 403, 401, 401, 401, 401, 403)
    return [
        ("POST", f"/v1/events/{e}/check-ins", lambda: {"code": w.registration_a["check_in_code"]}, door),
        ("POST", f"/v1/events/{e}/check-ins", lambda: {"registration_id": rb}, door),
        ("GET", f"/v1/events/{e}/check-ins/lookup?q=rina", None, door),
        ("GET", f"/v1/events/{e}/check-ins/summary", None, door),
        ("GET", f"/v1/events/{e}", None, elsewhere),
        ("GET", "/v1/events", None, elsewhere),
        ("GET", f"/v1/events/{e}/registrations", None, elsewhere),
        ("GET", f"/v1/registrations/{rb}", None, elsewhere),
        ("GET", f"/v1/events/{e}/stats", None, elsewhere),
        ("GET", f"/v1/events/{e}/attendance", None, elsewhere),
        ("POST", f"/v1/events/{e}/registrations", lambda: participant(500, "online"), (403, 403, 401, 401, 401, 401, 201)),
        ("PATCH", f"/v1/events/{e}", lambda: {"health_protocol": "Wajib bermasker."}, admin_only),
        ("GET", "/v1/agencies", None, admin_only),
        ("POST", f"/v1/agencies/{w.agency_a_id}/keys", lambda: {}, admin_only),
        ("DELETE", f"/v1/agencies/{w.agency_a_id}/keys", None, admin_only),
        ("GET", f"/v1/events/{e}/door-tokens", None, admin_only),
        ("POST", f"/v1/events/{e}/door-tokens", lambda: {"label": "Pintu baru"}, admin_only),
        ("DELETE", "/v1/door-tokens/00000000-0000-0000-0000-000000000000", None, admin_only),
        # Undo goes last: the own door token undoes A's check-in; the others are refused before it.
        ("DELETE", f"/v1/events/{e}/check-ins/{ra}", None, door),
    ]


def test_door_tokens_and_revoked_or_rotated_agency_keys_answer_as_the_spec_says(world):
    headers = scoped_headers(world)
    wrong: list[str] = []
    for method, path, body, expected in scoped_matrix(world):
        for caller in reversed(SCOPED_CALLERS):  # the own door token last: its undo must come after the refusals
            status = call(world.client, method, path, body, headers[caller]).status_code
            want = expected[SCOPED_CALLERS.index(caller)]
            if status != want:
                wrong.append(f"{method} {path} as {caller}: {status}, expected {want}")
    assert not wrong, "\n".join(wrong)
    # Agency A's key still works after everything above (nobody but the organizer rotated or revoked it).
    assert world.client.get("/v1/events", headers=world.headers["agency_a"]).status_code == 200


@pytest.mark.parametrize("service", ["notification", "streaming"])
def test_organizer_only_services_refuse_everyone_else(service, world, tmp_path):
    (tmp_path / service).mkdir()
    client = make_app(service, tmp_path / service).test_client()
    unknown = "00000000-0000-0000-0000-000000000000"
    endpoints = {
        "notification": [
            ("GET", "/v1/notifications", None, 200),
            ("GET", "/v1/notifications/stats", None, 200),
            ("GET", f"/v1/notifications/{unknown}", None, 404),
            ("POST", f"/v1/notifications/{unknown}/retry", None, 404),
        ],
        "streaming": [
            ("GET", f"/v1/events/{unknown}/channels", None, 404),
            ("POST", f"/v1/events/{unknown}/publish", None, 404),
            ("GET", f"/v1/events/{unknown}/joins", None, 404),
            # Last: a channel may be set before event.created arrives, so this makes the meeting known.
            ("PUT", f"/v1/events/{unknown}/channels/zoom", lambda: {"url": "https://us02web.zoom.us/j/81234567890"}, 200),
        ],
    }[service]
    wrong = []
    for method, path, body, admin_status in endpoints:
        for caller in CALLERS:
            status = call(client, method, path, body, world.headers[caller]).status_code
            want = admin_status if caller == "admin" else 401
            if status != want:
                wrong.append(f"{method} {path} as {caller}: {status}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_agency_over_its_rate_limit_gets_429_with_retry_after_and_others_are_unaffected(tmp_path):
    client = make_app("registration", tmp_path, AGENCY_RATE_LIMIT="5").test_client()
    key_a = make_agency(client, "Biro Humas Provinsi Jawa Barat")["api_key"]
    key_b = make_agency(client, "Diskominfo Kota Surabaya")["api_key"]
    statuses = [client.get("/v1/events", headers=bearer(key_a)).status_code for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    limited = client.get("/v1/events", headers=bearer(key_a))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert client.get("/v1/events", headers=bearer(key_b)).status_code == 200
    assert all(client.get("/v1/events", headers=bearer(ADMIN_TOKEN)).status_code == 200 for _ in range(8))


def test_join_link_guessing_is_rate_limited_per_client(tmp_path):
    client = make_app("streaming", tmp_path, JOIN_RATE_LIMIT="4").test_client()
    guesser = {"REMOTE_ADDR": "203.0.113.7"}
    statuses = [client.get(f"/j/tebakan{n}", environ_base=guesser).status_code for n in range(7)]
    assert statuses == [404] * 4 + [429] * 3
    limited = client.get("/j/tebakan", environ_base=guesser)
    assert int(limited.headers["Retry-After"]) >= 1
    assert client.get("/j/tebakan", environ_base={"REMOTE_ADDR": "198.51.100.20"}).status_code == 404


@pytest.mark.parametrize(
    "service, method, path",
    [
        ("registration", "POST", "/v1/events"),
        ("registration", "PATCH", "/v1/events/x"),
        ("streaming", "PUT", "/v1/events/x/channels/zoom"),
    ],
)
def test_body_over_max_body_bytes_is_413_json(service, method, path, tmp_path):
    client = make_app(service, tmp_path, MAX_BODY_BYTES="1024").test_client()
    body = {"title": "Rapat " * 400, "registrations": [], "url": "https://zoom.us/j/1"}
    response = client.open(path, method=method, json=body, headers=bearer(ADMIN_TOKEN))
    assert response.status_code == 413
    assert "1024" in response.json["message"]


def every_stored_value(db_path: Path, skip_tables: tuple[str, ...] = ()) -> list[str]:
    """Every value of every column of every table (but ``skip_tables``) of a SQLite database, as text."""
    with sqlite3.connect(db_path) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'") if row[0] not in skip_tables]
        values = []
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                values.extend(value.decode("latin-1") if isinstance(value, bytes) else str(value) for value in row if value is not None)
    return values


def test_agency_api_keys_are_stored_only_as_hashes(world):
    door_token = make_door_token(world.client, world.event_id, bearer(ADMIN_TOKEN), "Pintu utama")["token"]
    values = every_stored_value(world.db_path)
    assert len(values) > 20
    for key in [*world.api_keys, door_token]:
        assert not [value for value in values if key in value], "an agency API key or door token is stored in clear"
    assert not [value for value in values if ADMIN_TOKEN in value]
