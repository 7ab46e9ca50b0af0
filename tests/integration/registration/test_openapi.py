"""The OpenAPI document describes every endpoint of the spec, its fields and its error answers."""

import pytest

ENDPOINTS = {
    ("post", "/v1/agencies"): {"201", "401", "403", "422"},
    ("get", "/v1/agencies"): {"200", "401", "403"},
    ("post", "/v1/events"): {"201", "401", "403", "413", "422"},
    ("get", "/v1/events"): {"200", "401"},
    ("get", "/v1/events/{event_id}"): {"200", "401", "404"},
    ("patch", "/v1/events/{event_id}"): {"200", "401", "403", "404", "409", "422"},
    ("post", "/v1/events/{event_id}/cancel"): {"200", "401", "403", "404", "409", "422"},
    ("post", "/v1/events/{event_id}/registrations"): {"201", "401", "403", "404", "409", "413", "422", "429"},
    ("get", "/v1/events/{event_id}/registrations"): {"200", "401", "404", "422"},
    ("post", "/v1/events/{event_id}/registrations/bulk"): {"200", "401", "403", "404", "409", "413", "422", "429"},
    ("get", "/v1/registrations/{registration_id}"): {"200", "401", "404"},
    ("patch", "/v1/registrations/{registration_id}"): {"200", "401", "404", "409", "422"},
    ("delete", "/v1/registrations/{registration_id}"): {"200", "401", "404", "409"},
    ("post", "/v1/events/{event_id}/check-ins"): {"200", "401", "403", "404", "409", "422"},
    ("get", "/v1/events/{event_id}/stats"): {"200", "401", "404"},
    ("get", "/v1/events/{event_id}/attendance"): {"200", "401", "404", "422"},
}


@pytest.fixture(scope="module")
def spec(sqlite_api):
    return sqlite_api.client.get("/openapi.json").json


@pytest.mark.parametrize("method, path", sorted(ENDPOINTS))
def test_every_endpoint_documents_its_answers(spec, method, path):
    operation = spec["paths"][path][method]
    assert ENDPOINTS[(method, path)] <= set(operation["responses"])
    assert operation.get("summary") or operation.get("description")


def test_schemas_name_the_fields_of_the_spec(spec):
    schemas = spec["components"]["schemas"]
    assert {"full_name", "email", "phone", "nip", "position", "attendance_mode", "locale"} <= set(
        schemas["RegistrationCreate"]["properties"]
    )
    assert {
        "id",
        "event_id",
        "agency_id",
        "status",
        "attendance_mode",
        "waitlist_position",
        "check_in_code",
        "participant",
        "created_at",
    } <= set(schemas["Registration"]["properties"])
    assert {"registration_id", "checked_in_at"} <= set(schemas["CheckInResult"]["properties"])
    assert {"results", "summary"} <= set(schemas["BulkResponse"]["properties"])
    assert "api_key" in schemas["AgencyCreated"]["properties"]
    assert {"capacity", "taken", "waitlisted"} <= set(schemas["Seats"]["properties"])
    assert "existing_id" in schemas["ErrorBody"]["properties"]
    assert {"reminders", "status", "cancelled_at"} <= set(schemas["Meeting"]["properties"])
    assert "reminders" in schemas["MeetingCreate"]["properties"] and "reminders" in schemas["MeetingPatch"]["properties"]
    assert schemas["MeetingCancel"]["required"] == ["reason"]


def test_idempotency_key_and_list_parameters_are_documented(spec):
    post = spec["paths"]["/v1/events/{event_id}/registrations"]["post"]
    get = spec["paths"]["/v1/events/{event_id}/registrations"]["get"]
    assert "Idempotency-Key" in {p["name"] for p in post["parameters"]}
    assert {"status", "attendance_mode", "limit", "cursor"} <= {p["name"] for p in get["parameters"]}


def test_docs_page_is_served(sqlite_api):
    assert sqlite_api.client.get("/docs").status_code == 200


@pytest.fixture(scope="module")
def sqlite_api(tmp_path_factory, sqlite_url_factory):
    from services.registration.app import create_app
    from tests.integration.registration.conftest import registration_settings
    from tests.integration.registration.harness import RegistrationApi

    return RegistrationApi(create_app(registration_settings(sqlite_url_factory(), tmp_path_factory.mktemp("openapi"))))
