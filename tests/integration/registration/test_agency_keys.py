"""Agency keys: rotation with a grace period, revocation of every key, the short key cache, and the move to agency_keys."""

import datetime as dt
import time

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from services.registration.app import MIGRATIONS, create_app
from shared import db
from shared.web.auth import hash_secret
from tests.integration.registration.conftest import registration_settings
from tests.integration.registration.harness import RegistrationApi


def rotate(api, agency, **body):
    return api.client.post(f"/v1/agencies/{agency['id']}/keys", json=body, headers=api.admin)


def status_with(api, key, event):
    return api.client.get(f"/v1/events/{event['id']}", headers=api.bearer(key)).status_code


def test_rotation_without_grace_stops_the_previous_key_at_once(api, agency, event):
    assert status_with(api, agency["api_key"], event) == 200  # now in the key cache
    response = rotate(api, agency)
    assert response.status_code == 201 and response.json["api_key"].startswith("rk_") and set(response.json) == {"api_key"}
    assert status_with(api, agency["api_key"], event) == 401
    assert status_with(api, response.json["api_key"], event) == 200


def test_the_previous_key_keeps_working_for_the_grace_then_stops(api, agency, event):
    new_key = rotate(api, agency, grace_seconds=1).json["api_key"]
    assert status_with(api, agency["api_key"], event) == 200 and status_with(api, new_key, event) == 200
    deadline = time.monotonic() + 5
    while status_with(api, agency["api_key"], event) == 200:
        assert time.monotonic() < deadline, "the previous key still works long after its grace"
        time.sleep(0.05)
    assert status_with(api, new_key, event) == 200


def test_a_rotation_never_lengthens_an_earlier_grace(api, agency, event):
    second = rotate(api, agency, grace_seconds=3600).json["api_key"]
    third = rotate(api, agency, grace_seconds=0).json["api_key"]
    assert status_with(api, agency["api_key"], event) == status_with(api, second, event) == 401
    assert status_with(api, third, event) == 200


def test_revoking_stops_every_key_of_the_agency_and_no_other(api, agency, other_agency, event):
    new_key = rotate(api, agency, grace_seconds=3600).json["api_key"]
    assert status_with(api, agency["api_key"], event) == status_with(api, new_key, event) == 200
    assert api.client.delete(f"/v1/agencies/{agency['id']}/keys", headers=api.admin).status_code == 204
    assert status_with(api, agency["api_key"], event) == status_with(api, new_key, event) == 401
    assert status_with(api, other_agency["api_key"], event) == 200
    fresh = rotate(api, agency).json["api_key"]  # the organizer can let the agency back in with a new key
    assert status_with(api, fresh, event) == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({"grace_seconds": -1}, "grace_seconds"),
        ({"grace_seconds": "60"}, "grace_seconds"),
        ({"grace_seconds": 1.5}, "grace_seconds"),
        ({"api_key": "mine"}, "api_key"),
    ],
)
def test_a_bad_rotation_is_422_and_changes_nothing(api, agency, event, body, field):
    response = rotate(api, agency, **body)
    assert response.status_code == 422 and field in response.json["errors"]
    assert status_with(api, agency["api_key"], event) == 200


def test_keys_of_an_unknown_agency_are_404_and_only_the_organizer_manages_keys(api, agency, other_agency):
    assert api.client.post("/v1/agencies/nope/keys", json={}, headers=api.admin).status_code == 404
    assert api.client.delete("/v1/agencies/nope/keys", headers=api.admin).status_code == 404
    assert api.client.post(f"/v1/agencies/{agency['id']}/keys", json={}, headers=agency["headers"]).status_code == 403
    assert api.client.delete(f"/v1/agencies/{other_agency['id']}/keys", headers=agency["headers"]).status_code == 403


def test_a_revocation_reaches_a_second_app_on_the_same_database_within_a_second(api, agency, event, tmp_path):
    """Two apps on one database stand for two workers: the other one's key cache must not keep the key alive."""
    url = api.app.extensions["rakor_engine"].url.render_as_string(hide_password=False)
    other = RegistrationApi(create_app(registration_settings(url, tmp_path)))
    try:
        assert status_with(other, agency["api_key"], event) == 200  # cached there
        assert api.client.delete(f"/v1/agencies/{agency['id']}/keys", headers=api.admin).status_code == 204
        revoked_at = time.monotonic()
        while status_with(other, agency["api_key"], event) != 401:
            assert time.monotonic() - revoked_at < 1.0, "the other app still accepts the revoked key after a second"
            time.sleep(0.02)
    finally:
        other.app.extensions["rakor_engine"].dispose()


def migrate_to(engine, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
        connection.commit()


def test_migration_0003_moves_each_agency_key_into_agency_keys_and_back(database_url, tmp_path):
    engine = db.make_engine(database_url)
    migrate_to(engine, "0002")
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO agencies (id, name, kind, contact_email, api_key_hash, created_at) VALUES (:id, :name, 'city', :mail, :hash, :at)"
            ),
            {
                "id": "5b0a4d7e-8a51-4c59-9d0f-1c1a2b3c4d5e",
                "name": "Diskominfo Kota Bandung",
                "mail": "humas@bandung.go.id",
                "hash": hash_secret("rk_sebelum"),
                "at": now,
            },
        )
    api = RegistrationApi(create_app(registration_settings(database_url, tmp_path)))  # migrates to the head
    try:
        assert api.client.get("/v1/events", headers=api.bearer("rk_sebelum")).status_code == 200
        assert api.client.get("/v1/events", headers=api.bearer("rk_lain")).status_code == 401
        event = api.make_event()
        agency = {"headers": api.bearer("rk_sebelum")}
        api.register(agency, event["id"])  # a registration's foreign key must survive the table's rebuild
        new_key = rotate(api, {"id": "5b0a4d7e-8a51-4c59-9d0f-1c1a2b3c4d5e"}).json["api_key"]
    finally:
        api.app.extensions["rakor_engine"].dispose()
    migrate_to(engine, "0002", down=True)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT api_key_hash FROM agencies")).scalar_one() == hash_secret(new_key)
        assert connection.execute(text("SELECT count(*) FROM registrations")).scalar_one() == 1
    migrate_to(engine, "head")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT key_hash FROM agency_keys")).scalar_one() == hash_secret(new_key)
    engine.dispose()
