"""Tokens: the organizer's admin token, agency keys shown once and stored hashed, 401/403/429."""

import pytest
from sqlalchemy import text

from services.registration.app import create_app
from tests.factories.registration import participant
from tests.integration.registration.conftest import registration_settings
from tests.integration.registration.harness import RegistrationApi


def test_agency_key_is_shown_once_and_stored_only_as_a_hash(api, agency):
    assert agency["api_key"].startswith("rk_") and len(agency["api_key"]) > 40
    listed = api.client.get("/v1/agencies", headers=api.admin).json
    assert [a["id"] for a in listed] == [agency["id"]] and "api_key" not in listed[0]
    with api.app.extensions["rakor_engine"].connect() as connection:
        stored = connection.execute(text("SELECT key_hash FROM agency_keys")).scalar_one()
    assert stored != agency["api_key"] and len(stored) == 64


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-key"}, {"Authorization": "Basic abc"}])
def test_missing_or_unknown_token_is_401(api, event, headers):
    response = api.client.get(f"/v1/events/{event['id']}", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_401_comes_before_body_validation(api, event):
    response = api.client.post(f"/v1/events/{event['id']}/registrations", json={"nonsense": 1})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/v1/agencies", {"name": "Humas Kemenkeu", "kind": "ministry", "contact_email": "humas@kemenkeu.go.id"}),
        ("get", "/v1/agencies", None),
        ("post", "/v1/events", {}),
        ("patch", "/v1/events/{event}", {"title": "Rapat Koordinasi Nasional"}),
        ("post", "/v1/events/{event}/check-ins", {"code": "ABCD2345"}),
    ],
)
def test_admin_only_endpoints_refuse_an_agency_key_with_403(api, agency, event, method, path, body):
    response = getattr(api.client, method)(path.format(event=event["id"]), json=body, headers=agency["headers"])
    assert response.status_code == 403
    assert "organizer" in response.json["message"]


def test_registrations_are_posted_with_an_agency_key_not_the_admin_token(api, event):
    response = api.client.post(f"/v1/events/{event['id']}/registrations", json=participant(), headers=api.admin)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Humas", "kind": "club", "contact_email": "a@b.go.id"}, "kind"),
        ({"name": "Humas", "kind": "city", "contact_email": "not-an-email"}, "contact_email"),
        ({"name": "Humas", "kind": "city"}, "contact_email"),
        ({"name": "Humas", "kind": "city", "contact_email": "a@b.go.id", "api_key": "mine"}, "api_key"),
    ],
)
def test_invalid_agency_is_422_naming_the_field(api, body, field):
    response = api.client.post("/v1/agencies", json=body, headers=api.admin)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_agency_requests_beyond_the_rate_limit_get_429_with_retry_after(tmp_path, sqlite_url_factory):
    app = create_app(registration_settings(sqlite_url_factory(), tmp_path, AGENCY_RATE_LIMIT="3"))
    api = RegistrationApi(app)
    agency, other = api.make_agency(), api.make_agency("Diskominfo Kota Bandung", "city")
    event = api.make_event()
    statuses = [api.client.get(f"/v1/events/{event['id']}", headers=agency["headers"]).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.client.get(f"/v1/events/{event['id']}", headers=agency["headers"])
    assert int(limited.headers["Retry-After"]) >= 1
    assert api.client.get(f"/v1/events/{event['id']}", headers=other["headers"]).status_code == 200
    assert api.client.get(f"/v1/events/{event['id']}", headers=api.admin).status_code == 200


def test_the_api_refuses_to_start_without_an_admin_token(monkeypatch):
    monkeypatch.delenv("RAKOR_ADMIN_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        create_app()
    assert exit_info.value.code == 2
