"""Input no client should send still gets a clear 4xx, never a 500, and nothing half-written."""

import base64
import json

import pytest

from tests.factories.registration import meeting_body, participant


@pytest.mark.parametrize(
    "path",
    ["/v1/events/%00", "/v1/events/" + "x" * 3000, "/v1/registrations/%00abc", "/v1/events/%00/stats", "/v1/events/%00/attendance"],
)
def test_impossible_ids_are_404(api, path):
    assert api.client.get(path, headers=api.admin).status_code == 404


def test_nul_characters_are_422_naming_the_field(api, agency, event):
    response = api.client.post(
        f"/v1/events/{event['id']}/registrations", json=participant(full_name="Rina\x00W"), headers=agency["headers"]
    )
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


@pytest.mark.parametrize(
    "payload", [["2021-01-01T00:00:00", "00000000-0000-0000-0000-000000000000"], ["2021-01-01T00:00:00+00:00", "\x00"], {"a": 1}, 7]
)
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


def _post_raw(api, path, body: str, headers):
    return api.client.post(path, data=body, headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="nested-past-the-recursion-limit"),
        pytest.param('{"title": ' + "[" * 40 + "]" * 40 + "}", id="nested-40-levels"),
        pytest.param('{"in_person_capacity": ' + "9" * 5000 + "}", id="integer-of-5000-digits"),
        pytest.param('{"in_person_capacity": -' + "9" * 1000 + "}", id="integer-of-1000-digits"),
    ],
)
def test_hostile_json_is_422_not_500(api, body):
    response = _post_raw(api, "/v1/events", body, api.admin)
    assert response.status_code == 422 and response.json["errors"]["_body"]
    assert api.client.get("/v1/events", headers=api.admin).json == []


def test_a_deep_body_does_not_break_the_idempotency_fingerprint(api, agency, event):
    headers = {**agency["headers"], "Idempotency-Key": "kunci-1"}
    response = _post_raw(api, f"/v1/events/{event['id']}/registrations", "[" * 5000 + "]" * 5000, headers)
    assert response.status_code == 422


def test_a_lone_surrogate_is_422_naming_the_field(api, agency, event):
    body = json.dumps(participant(full_name="Rina \ud800 Wulandari"))
    response = _post_raw(api, f"/v1/events/{event['id']}/registrations", body, agency["headers"])
    assert response.status_code == 422 and "full_name" in response.json["errors"]
    body = json.dumps({"venue": {"name": "Hotel \udfff", "address": "Jl. Boulevard"}})
    response = api.client.patch(f"/v1/events/{event['id']}", data=body, headers={**api.admin, "Content-Type": "application/json"})
    assert response.status_code == 422 and "venue" in response.json["errors"]
    assert api.registration_rows(event["id"]) == []


def test_a_bulk_row_with_a_lone_surrogate_is_invalid_on_its_own(api, agency, event):
    body = json.dumps({"registrations": [participant(position="Humas \udc00"), participant()]})
    response = _post_raw(api, f"/v1/events/{event['id']}/registrations/bulk", body, agency["headers"])
    assert response.status_code == 200
    assert [r["outcome"] for r in response.json["results"]] == ["invalid", "created"]
    assert "position" in response.json["results"][0]["errors"]


@pytest.mark.parametrize("zone", ["America", "Asia", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "asia/jakarta", ""])
def test_a_time_zone_that_is_not_a_zone_is_422(api, zone):
    response = api.client.post("/v1/events", json=meeting_body(timezone=zone), headers=api.admin)
    assert response.status_code == 422 and "timezone" in response.json["errors"]


@pytest.mark.parametrize("bad", ["\r\n", "\n", "\r", "\x07", "\x1b[31m", "\x85", "\x9b", "\x7f"])
def test_control_characters_in_names_positions_and_titles_are_422(api, agency, event, bad):
    for field in ("full_name", "position"):
        response = api.client.post(
            f"/v1/events/{event['id']}/registrations", json=participant(**{field: f"Rina{bad}Bcc: x@y.z"}), headers=agency["headers"]
        )
        assert response.status_code == 422 and field in response.json["errors"], field
    response = api.client.post("/v1/events", json=meeting_body(title=f"Rapat{bad}Koordinasi"), headers=api.admin)
    assert response.status_code == 422 and "title" in response.json["errors"]
    response = api.client.post(
        "/v1/agencies", json={"name": f"Dinas{bad}Kominfo", "kind": "city", "contact_email": "a@b.go.id"}, headers=api.admin
    )
    assert response.status_code == 422 and "name" in response.json["errors"]
    assert api.registration_rows(event["id"]) == []


def test_free_text_keeps_its_line_breaks(api):
    protocol = "Peserta wajib:\r\n1. sudah divaksin dua kali;\n2. hasil antigen negatif."
    created = api.make_event(health_protocol=protocol, theme="Baris satu\nbaris dua")
    assert created["health_protocol"] == protocol


def test_random_methods_and_paths_add_no_metric_series(api, event):
    for n in range(30):
        api.client.open(f"/v1/events/{event['id']}", method=f"FUZZ{n}", headers=api.admin)
        api.client.get(f"/no/such/path/{n}-zzq", headers=api.admin)
        api.client.open(f"/zzq-{n}", method=f"BREW{n}")
    lines = [line for line in api.client.get("/metrics").get_data(as_text=True).splitlines() if line.startswith("rakor_http_")]
    assert not [line for line in lines if "FUZZ" in line or "BREW" in line or "zzq" in line]
    requests = [line for line in lines if line.startswith("rakor_http_requests_total{") and 'service="registration"' in line]
    assert any('method="other"' in line and 'status="405"' in line for line in requests)
    assert any('method="GET"' in line and 'endpoint="unmatched"' in line for line in requests)
