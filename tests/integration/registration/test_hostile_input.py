"""Input no client should send still gets a clear 4xx, never a 500, and nothing half-written."""
import base64
import json

import pytest

from tests.integration.registration.factories import participant


@pytest.mark.parametrize(
    "path",
    ["/v1/events/%00", "/v1/events/" + "x" * 3000, "/v1/registrations/%00abc", "/v1/events/%00/stats", "/v1/events/%00/attendance"],
)
def test_impossible_ids_are_404(api, path):
    assert api.client.get(path, headers=api.admin).status_code == 404


def test_nul_characters_are_422_naming_the_field(api, agency, event):
    response = api.client.post(f"/v1/events/{event['id']}/registrations", json=participant(full_name="Rina\x00W"), headers=agency["headers"])
    assert response.status_code == 422 and "full_name" in response.json["errors"]
    response = api.client.post(f"/v1/events/{event['id']}/check-ins", json={"code": "AB\x00CD2345"}, headers=api.admin)
    assert response.status_code == 422 and "code" in response.json["errors"]
    venue = {"name": "Hotel\x00", "address": "Jl. Boulevard"}
    response = api.client.patch(f"/v1/events/{event['id']}", json={"venue": venue}, headers=api.admin)
    assert response.status_code == 422 and "venue" in response.json["errors"]
    assert api.registration_rows(event["id"]) == []


def test_a_bulk_row_with_nul_is_invalid_on_its_own(api, agency, event):
    rows = [participant(position="Humas\x00"), participant()]
    response = api.client.post(f"/v1/events/{event['id']}/registrations/bulk", json={"registrations": rows}, headers=agency["headers"])
    assert [r["outcome"] for r in response.json["results"]] == ["invalid", "created"]


@pytest.mark.parametrize("payload", [["2021-01-01T00:00:00", "00000000-0000-0000-0000-000000000000"], ["2021-01-01T00:00:00+00:00", "\x00"], {"a": 1}, 7])
def test_forged_cursors_are_422(api, event, payload):
    cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    response = api.client.get(f"/v1/events/{event['id']}/registrations", query_string={"cursor": cursor}, headers=api.admin)
    assert response.status_code == 422 and "cursor" in response.json["errors"]


def test_an_unprintable_idempotency_key_is_422(api, agency, event):
    response = api.client.post(
        f"/v1/events/{event['id']}/registrations", json=participant(), headers={**agency["headers"], "Idempotency-Key": "kunci rahasia"}
    )
    assert response.status_code == 422 and "Idempotency-Key" in response.json["errors"]


@pytest.mark.parametrize("value", [10**20, 1.5, True, "3"])
def test_capacity_must_be_a_whole_number_in_range(api, value):
    response = api.client.post("/v1/events", json={"in_person_capacity": value}, headers=api.admin)
    assert response.status_code == 422 and "in_person_capacity" in response.json["errors"]


def test_a_json_body_that_is_not_an_object_is_422(api, event):
    response = api.client.patch(f"/v1/events/{event['id']}", json=["title"], headers=api.admin)
    assert response.status_code == 422
