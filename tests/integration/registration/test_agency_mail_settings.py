"""An agency's mail settings (digest switch, contact, language): who may change them, and what the bus hears."""

import pytest

from shared.schemas.events import load_payload
from tests.factories.registration import make_door_token, participant
from tests.integration.registration.test_bulk import post_bulk
from tests.integration.registration.test_door import door


def patch(api, agency_id, body, headers):
    return api.client.patch(f"/v1/agencies/{agency_id}", json=body, headers=headers)


def test_a_new_agency_is_announced_with_its_contact_and_the_digest_on(api, agency):
    [envelope] = api.outbox("agency.updated")
    sent = load_payload("agency.updated", envelope["data"])
    assert sent["agency_id"] == agency["id"] and sent["contact_email"] == "humas@kominfo.go.id"
    assert sent["digest_enabled"] is True and sent["locale"] == "id"
    assert agency["digest_enabled"] is True and agency["locale"] == "id"
    assert "api_key" not in envelope["data"]


def test_an_agency_turns_its_digest_off_with_its_own_key(api, agency):
    response = patch(api, agency["id"], {"digest_enabled": False}, agency["headers"])
    assert response.status_code == 200, response.json
    assert response.json["digest_enabled"] is False and response.json["id"] == agency["id"]
    first, second = (load_payload("agency.updated", e["data"]) for e in api.outbox("agency.updated"))
    assert second["digest_enabled"] is False and second["updated_at"] > first["updated_at"]


def test_the_organizer_changes_an_agencys_contact_and_language(api, agency):
    response = patch(api, agency["id"], {"contact_email": "Ppid@Kominfo.go.id", "locale": "en"}, api.admin)
    assert response.status_code == 200, response.json
    assert response.json["locale"] == "en"
    sent = load_payload("agency.updated", api.outbox("agency.updated")[-1]["data"])
    assert sent["contact_email"] == response.json["contact_email"] and sent["locale"] == "en"
    listed = {a["id"]: a for a in api.get("/v1/agencies").json}
    assert listed[agency["id"]]["locale"] == "en"


def test_another_agencys_key_learns_nothing_and_changes_nothing(api, agency, other_agency):
    response = patch(api, agency["id"], {"digest_enabled": False}, other_agency["headers"])
    assert response.status_code == 404
    assert patch(api, "no-such-agency", {"digest_enabled": False}, other_agency["headers"]).status_code == 404
    assert len(api.outbox("agency.updated")) == 2  # the two creations only


def test_a_door_token_may_not_change_an_agency(api, agency, event):
    token = make_door_token(api.client, event["id"], api.admin)
    assert patch(api, agency["id"], {"digest_enabled": False}, door(token)).status_code == 403


def test_without_a_token_the_answer_is_401(api, agency):
    assert patch(api, agency["id"], {"digest_enabled": False}, {}).status_code == 401


def test_an_unknown_agency_is_404_for_the_organizer(api):
    assert patch(api, "7d1c5a4e-0000-4000-8000-000000000000", {"digest_enabled": False}, api.admin).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"contact_email": "bukan-alamat"}, "contact_email"),
        ({"digest_enabled": "kadang"}, "digest_enabled"),
        ({"locale": "jv"}, "locale"),
        ({"name": "Nama Baru"}, "name"),
        ({}, "_schema"),
    ],
)
def test_bad_settings_are_422_with_field_messages(api, agency, body, field):
    response = patch(api, agency["id"], body, agency["headers"])
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_a_change_to_the_same_values_tells_the_bus_nothing(api, agency):
    assert patch(api, agency["id"], {"digest_enabled": True, "locale": "id"}, agency["headers"]).status_code == 200
    assert len(api.outbox("agency.updated")) == 1


def test_a_bulk_request_puts_its_outcome_on_the_bus_once(api, agency, event):
    rows = [participant(), participant(), participant(email="bukan-alamat"), "Rina"]
    rows.append(participant(email=rows[0]["email"]))
    headers = {"Idempotency-Key": "impor-sdm-2021-11-01"}
    first = post_bulk(api, agency, event["id"], rows, headers)
    again = post_bulk(api, agency, event["id"], rows, headers)
    assert first.status_code == again.status_code == 200
    [envelope] = api.outbox("agency.bulk_processed")
    outcome = load_payload("agency.bulk_processed", envelope["data"])
    assert (outcome["created"], outcome["duplicates"]) == (2, 1)
    assert [row["row"] for row in outcome["invalid"]] == [2, 3]
    assert "email" in outcome["invalid"][0]["errors"]
    assert outcome["agency"]["contact_email"] == "humas@kominfo.go.id" and outcome["meeting"]["id"] == event["id"]


def test_a_check_in_names_the_agency_of_the_participant(api, agency):
    event = api.make_event()
    registration = api.register(agency, event["id"])
    response = api.client.post(f"/v1/events/{event['id']}/check-ins", json={"code": registration["check_in_code"]}, headers=api.admin)
    assert response.status_code == 200, response.json
    [envelope] = api.outbox("registration.checked_in")
    assert envelope["data"]["agency_id"] == agency["id"]


def test_migration_0009_goes_down_and_up_again_with_agencies_kept(database_url, tmp_path):
    from sqlalchemy import text

    from services.registration.app import create_app
    from shared import db
    from tests.integration.registration.conftest import registration_settings
    from tests.integration.registration.harness import RegistrationApi
    from tests.integration.registration.test_agency_keys import migrate_to

    api = RegistrationApi(create_app(registration_settings(database_url, tmp_path)))  # migrates to the head
    agency = api.make_agency()
    assert patch(api, agency["id"], {"digest_enabled": False}, api.admin).status_code == 200
    api.app.extensions["rakor_engine"].dispose()
    engine = db.make_engine(database_url)
    try:
        migrate_to(engine, "0008", down=True)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM agencies")).scalar_one() == agency["name"]
        migrate_to(engine, "head")
        with engine.connect() as connection:
            # Back up, every agency has the digest on again (the column's default) and Indonesian mail.
            assert connection.execute(text("SELECT digest_enabled, locale FROM agencies")).one() == (True, "id")
    finally:
        engine.dispose()


def test_agencies_from_before_agency_updated_are_announced_once_by_the_upgrade(database_url, tmp_path):
    """An upgrade from before 0009 tells notification of every agency it never heard of (0010)."""
    import json

    from sqlalchemy import text

    from services.registration.app import create_app
    from shared import db
    from tests.integration.registration.conftest import registration_settings
    from tests.integration.registration.harness import RegistrationApi
    from tests.integration.registration.test_agency_keys import migrate_to

    api = RegistrationApi(create_app(registration_settings(database_url, tmp_path)))
    first, second = api.make_agency(), api.make_agency("Diskominfo Provinsi Jawa Barat", "province")
    api.app.extensions["rakor_engine"].dispose()
    engine = db.make_engine(database_url)

    def announcements() -> list[dict]:
        with engine.connect() as connection:
            bodies = connection.execute(text("SELECT body FROM outbox WHERE event_type = 'agency.updated' ORDER BY id")).scalars()
            return [json.loads(body)["data"] for body in bodies]

    try:
        migrate_to(engine, "0008", down=True)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM outbox"))  # as if the agencies predate agency.updated
        migrate_to(engine, "head")
        announced = announcements()
        assert sorted(a["agency_id"] for a in announced) == sorted([first["id"], second["id"]])
        by_id = {a["agency_id"]: a for a in announced}
        assert by_id[first["id"]]["contact_email"] == first["contact_email"] and by_id[first["id"]]["digest_enabled"] is True
    finally:
        engine.dispose()
