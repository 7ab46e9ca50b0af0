"""Property-based API fuzzing with schemathesis: every operation of each service's /openapi.json, in process.

Each operation gets generated requests (as the organizer and, on registration, as an agency); a
request counts as failed when the answer is a 5xx, has a status code the spec does not document, or
a body or content type that does not match the documented schema. Path ids are real ones most of
the time (a meeting, a registration that exist), so the handlers behind the 404 are exercised too.
"""

from __future__ import annotations

import functools
import importlib
import json
from dataclasses import dataclass
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.settings import load_settings

ADMIN_TOKEN = "uji-token-admin-rakor-schemathesis"
MAX_EXAMPLES = 15  # per operation and generation mode (valid input, then invalid input)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass
class Target:
    """One service's app, the headers to call it with, and ids that exist in its database."""

    app: Any
    headers: dict[str, str]
    ids: dict[str, str]


def make_app(service: str, tmp_path) -> Any:
    environ = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "RAKOR_ENV": "dev",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / (service + '.db')}",
        # /readyz is not fuzzed; a closed port keeps anything that would try the broker fast.
        "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:1/%2F",
        "LOG_LEVEL": "WARNING",
        "PUBLIC_BASE_URL": "https://rakor.example.go.id",
    }
    return importlib.import_module(f"services.{service}.app").create_app(load_settings(service, environ=environ))


def seed_registration(app) -> dict[str, str]:
    """An agency, a meeting and one registration of that agency, made through the API itself."""
    client = app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    agency = client.post(
        "/v1/agencies",
        json={"name": "Biro Humas Kementerian Kominfo", "kind": "ministry", "contact_email": "humas@kominfo.go.id"},
        headers=admin,
    )
    assert agency.status_code == 201, agency.get_json()
    meeting = client.post(
        "/v1/events",
        json={
            "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
            "starts_at": "2031-12-01T09:00:00+07:00",
            "ends_at": "2031-12-01T12:00:00+07:00",
            "venue": {"name": "Hotel Aviary", "address": "Jl. Raya Sudimara Pinang No. 88, Bintaro", "city": "Tangerang Selatan"},
            "in_person_capacity": 5,
        },
        headers=admin,
    )
    assert meeting.status_code == 201, meeting.get_json()
    agency_headers = {"Authorization": f"Bearer {agency.get_json()['api_key']}"}
    registration = client.post(
        f"/v1/events/{meeting.get_json()['id']}/registrations",
        json={
            "full_name": "Dewi Anggraini",
            "email": "dewi.anggraini@kominfo.go.id",
            "phone": "081234567890",
            "attendance_mode": "in_person",
        },
        headers=agency_headers,
    )
    assert registration.status_code == 201, registration.get_json()
    return {"event_id": meeting.get_json()["id"], "registration_id": registration.get_json()["id"], "api_key": agency.get_json()["api_key"]}


def seed_streaming(app) -> dict[str, str]:
    """A meeting with a Zoom channel (setting a channel makes the meeting known before event.created)."""
    event_id = "6f1c2b9e-3d4a-4c1e-9a57-0b8d2e7f1a21"
    response = app.test_client().put(
        f"/v1/events/{event_id}/channels/zoom",
        json={"url": "https://us02web.zoom.us/j/81234567890", "passcode": "humas21"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code == 200, response.get_json()
    return {"event_id": event_id}


SEEDS = {"registration": seed_registration, "streaming": seed_streaming}


@pytest.fixture(
    params=[("registration", "admin"), ("registration", "agency"), ("notification", "admin"), ("streaming", "admin")],
    ids=lambda p: f"{p[0]}-as-{p[1]}",
)
def target(request, tmp_path) -> Target:
    service, role = request.param
    app = make_app(service, tmp_path)
    ids = SEEDS[service](app) if service in SEEDS else {}
    token = ids.pop("api_key") if role == "agency" else ADMIN_TOKEN
    return Target(app, {"Authorization": f"Bearer {token}"}, ids)


# Input that no schema describes and that once got a 500 (see RELIABILITY.md, hostile input): put into
# otherwise valid bodies, so the hostile value is the only thing wrong with the request.
HOSTILE_STRINGS = {
    "lone-surrogate": "Rina \ud800 Wulandari",
    "crlf": "Rina\r\nBcc: semua@kominfo.go.id",
    "nul": "Rina\x00",
    "c1-control": "Rina\x85\x9b",
    "zone-folder": "America",
}
HOSTILE_VALUES = {
    "deep-nesting": functools.reduce(lambda inner, _: [inner], range(40), []),
    "long-integer": int("9" * 1000),
}
HOSTILE_KINDS = [None, *HOSTILE_STRINGS, *HOSTILE_VALUES]


def make_hostile(body: Any, kind: str | None) -> Any:
    """`body` with every string (at any depth) replaced by a hostile one, or its first field set to a hostile value."""
    if kind is None or not isinstance(body, dict) or not body:
        return body
    if kind in HOSTILE_VALUES:
        first = next(iter(body))
        return {**body, first: HOSTILE_VALUES[kind]}
    return {key: HOSTILE_STRINGS[kind] if isinstance(value, str) else make_hostile(value, kind) for key, value in body.items()}


def call_with_escaped_json(case, target: Target) -> None:
    """Send a body holding a lone surrogate as JSON does ("\\ud800"), which schemathesis cannot encode to UTF-8.

    Checked by hand: no 5xx, and a status the operation documents.
    """
    response = target.app.test_client().open(
        case.formatted_path,
        method=case.method,
        query_string=case.query or None,
        data=json.dumps(case.body),
        headers={**(case.headers or {}), **target.headers, "Content-Type": "application/json"},
    )
    documented = set((case.operation.definition.raw or {}).get("responses", {}))
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    )
    assert str(response.status_code) in documented or "default" in documented, (
        f"{case.method} {case.formatted_path}: undocumented {response.status_code}"
    )


def fuzz_operation(operation, target: Target, mode: GenerationMode) -> int:
    """Run MAX_EXAMPLES generated cases of one operation; returns how many requests were sent."""
    sent = 0

    @hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=operation.as_strategy(generation_mode=mode), use_real_ids=st.booleans(), hostile=st.sampled_from(HOSTILE_KINDS))
    def run(case, use_real_ids, hostile):
        nonlocal sent
        if use_real_ids and case.path_parameters:
            case.path_parameters = {name: target.ids.get(name, value) for name, value in case.path_parameters.items()}
        if mode == GenerationMode.POSITIVE:
            case.body = make_hostile(case.body, hostile)
        sent += 1
        if hostile == "lone-surrogate" and isinstance(case.body, dict):
            call_with_escaped_json(case, target)
        else:
            case.call_and_validate(headers=target.headers, checks=CHECKS)

    run()
    return sent


@pytest.mark.slow
def test_every_operation_answers_within_its_documented_responses(target):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", target.app)
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                sent += fuzz_operation(operation, target, mode)
            except hypothesis.errors.Unsatisfiable:
                pass  # nothing invalid fits, e.g. a plain string in the path (/j/{token})
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them together
                failures.append(f"{operation.label} ({mode.value} data): {exc}")
    print(f"schemathesis: {sent} requests")
    assert not failures, "\n\n".join(failures)
