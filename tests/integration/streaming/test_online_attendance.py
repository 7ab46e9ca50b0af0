"""POST /v1/events/{id}/online-attendance: a Zoom report matched by email, minutes per registration, idempotent."""

from __future__ import annotations

import io
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from services.streaming.api import EXTENSION
from services.streaming.app import MIGRATIONS
from shared.schemas.events import load_payload
from tests.factories.streaming import make_registration
from tests.integration.streaming.probes import ADMIN, outbox_events, set_channels

HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room\r\n"


def person(meeting, full_name: str, email: str, **overrides):
    return make_registration(meeting, participant={"full_name": full_name, "email": email, "phone": None, "locale": "id"}, **overrides)


@pytest.fixture
def people(feed, meeting):
    """Rina and Budi online, Dewi in person, all confirmed."""
    rina = person(meeting, "Rina Wulandari", "rina.wulandari@kominfo.go.id")
    budi = person(meeting, "Budi Santoso", "Budi.Santoso@jabarprov.go.id")
    dewi = person(meeting, "Dewi Lestari", "dewi.lestari@bkn.go.id", mode="in_person")
    for registration in (rina, budi, dewi):
        feed("registration.confirmed", registration)
    return {"rina": rina, "budi": budi, "dewi": dewi}


REPORT = HEADER + (
    "Rina Wulandari,rina.wulandari@kominfo.go.id,12/01/2021 08:58:00 AM,12/01/2021 10:00:00 AM,62,No,No\r\n"
    "Rina (HP),RINA.WULANDARI@kominfo.go.id,12/01/2021 09:30:00 AM,12/01/2021 10:30:00 AM,60,No,No\r\n"
    "Budi Santoso,budi.santoso@jabarprov.go.id,12/01/2021 09:00:00 AM,12/01/2021 09:20:00 AM,20,No,No\r\n"
    "Budi Santoso,budi.santoso@jabarprov.go.id,12/01/2021 09:50:00 AM,12/01/2021 10:00:00 AM,10,No,No\r\n"
    "Dewi Lestari,dewi.lestari@bkn.go.id,12/01/2021 09:00:00 AM,12/01/2021 09:10:00 AM,10,No,No\r\n"
    "Tamu,,12/01/2021 09:00:00 AM,12/01/2021 09:10:00 AM,10,Yes,No\r\n"
    "Orang Lain,lain@contoh.go.id,12/01/2021 09:00:00 AM,12/01/2021 09:10:00 AM,10,Yes,No\r\n"
    "Rina Wulandari,rina.wulandari@kominfo.go.id,12/01/2021 08:40:00 AM,12/01/2021 08:58:00 AM,18,No,Yes\r\n"
)


def upload(client, event_id, body, content_type="text/csv", query=""):
    return client.post(f"/v1/events/{event_id}/online-attendance{query}", data=body, content_type=content_type, headers=ADMIN)


def presence_events(session_factory):
    return {e["data"]["registration_id"]: e["data"] for e in outbox_events(session_factory, "stream.presence_recorded")}


def test_a_report_gives_minutes_per_online_registration_with_overlaps_once(client, session_factory, meeting, people):
    response = upload(client, meeting["id"], REPORT.encode())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["rows"], body["matched"], body["waiting_room"]) == (8, 4, 1)
    minutes = {r["registration_id"]: r["minutes"] for r in body["registrations"]}
    assert minutes == {people["rina"]["registration_id"]: 92, people["budi"]["registration_id"]: 30}
    reasons = {(u["row"], u["reason"]) for u in body["unmatched"]}
    assert reasons == {(6, "not_registered_online"), (7, "no_email"), (8, "not_registered")}
    sent = presence_events(session_factory)
    assert sent[people["rina"]["registration_id"]] == {
        "registration_id": people["rina"]["registration_id"],
        "event_id": meeting["id"],
        "minutes": 92,
        "source": "zoom_csv",
        "first_join_at": "2021-12-01T01:58:00+00:00",
    }
    assert set(sent) == set(minutes)
    # Events after the first are copied from it, not validated one by one: each must still load as the schema says.
    assert {rid: load_payload("stream.presence_recorded", data)["minutes"] for rid, data in sent.items()} == minutes
    assert sent[people["budi"]["registration_id"]]["first_join_at"] == "2021-12-01T02:00:00+00:00"


def test_importing_the_same_report_twice_changes_nothing(client, session_factory, meeting, people):
    first = upload(client, meeting["id"], REPORT.encode()).get_json()
    second = upload(client, meeting["id"], REPORT.encode()).get_json()
    assert [r["minutes"] for r in second["registrations"]] == [r["minutes"] for r in first["registrations"]]
    assert not any(r["changed"] for r in second["registrations"])
    assert len(outbox_events(session_factory, "stream.presence_recorded")) == 2
    with session_factory() as session:
        assert session.execute(text("SELECT count(*) FROM presence_intervals")).scalar() == 4


def test_a_second_different_report_adds_its_stays_and_announces_the_new_total(client, session_factory, meeting, people):
    upload(client, meeting["id"], REPORT.encode())
    afternoon = [
        {
            "email": "budi.santoso@jabarprov.go.id",
            "name": "Budi",
            "join_time": "2021-12-01T13:00:00+07:00",
            "leave_time": "2021-12-01T14:00:00+07:00",
        }
    ]
    response = client.post(f"/v1/events/{meeting['id']}/online-attendance", json=afternoon, headers=ADMIN)
    assert response.status_code == 200
    [budi] = response.get_json()["registrations"]
    assert (budi["minutes"], budi["changed"]) == (90, True)
    budi_events = [
        e["data"]
        for e in outbox_events(session_factory, "stream.presence_recorded")
        if e["data"]["registration_id"] == people["budi"]["registration_id"]
    ]
    assert [(e["minutes"], e["source"]) for e in budi_events] == [(30, "zoom_csv"), (90, "json")]


def test_the_report_can_be_uploaded_as_a_file_with_a_bom(client, meeting, people):
    data = {"file": (io.BytesIO(("\ufeff" + REPORT).encode("utf-8")), "participants_81234567890.csv")}
    response = client.post(f"/v1/events/{meeting['id']}/online-attendance", data=data, content_type="multipart/form-data", headers=ADMIN)
    assert response.status_code == 200 and response.get_json()["matched"] == 4


def test_a_timezone_parameter_reads_the_times_in_another_zone(client, session_factory, meeting, people):
    one = HEADER + "Rina,rina.wulandari@kominfo.go.id,12/01/2021 09:00:00 AM,12/01/2021 10:00:00 AM,60,No,No\r\n"
    response = upload(client, meeting["id"], one.encode(), query="?timezone=Asia/Makassar")
    assert response.get_json()["registrations"][0]["first_join_at"] == "2021-12-01T01:00:00+00:00"


@pytest.mark.parametrize(
    "body, content_type, status, key",
    [
        (
            (HEADER + "Rina,rina.wulandari@kominfo.go.id,31/12/2021 09:00,12/01/2021 10:00:00 AM,60,No,No\r\n").encode(),
            "text/csv",
            422,
            "row 2",
        ),
        (b"Nama;Instansi\nRina;Kominfo\n", "text/csv", 422, "header"),
        (b"\xff\xfe\x00garbage", "text/csv", 422, "file"),
        (b'[{"email": 1}', "application/json", 400, None),
        (b'{"rows": []}', "application/json", 422, "rows"),
        (b"<xml/>", "application/xml", 415, None),
    ],
)
def test_a_bad_report_is_refused_with_a_clear_message_and_nothing_is_stored(
    client, session_factory, meeting, people, body, content_type, status, key
):
    response = upload(client, meeting["id"], body, content_type)
    assert response.status_code == status, response.get_json()
    if key:
        assert key in response.get_json()["errors"]
    assert outbox_events(session_factory, "stream.presence_recorded") == []


def test_a_bad_timezone_and_an_unknown_meeting_are_refused(client, meeting, people):
    assert upload(client, meeting["id"], REPORT.encode(), query="?timezone=Jakarta").status_code == 422
    assert upload(client, "f" * 36, REPORT.encode()).status_code == 404


def test_a_meeting_whose_zone_is_not_known_yet_needs_the_timezone_parameter(client):
    # A channel set before event.created: the service knows the meeting's id, not its zone.
    event_id = str(uuid.uuid4())
    set_channels(client, event_id, youtube=None)
    refused = upload(client, event_id, REPORT.encode())
    assert refused.status_code == 422 and "timezone" in refused.get_json()["errors"]
    accepted = upload(client, event_id, REPORT.encode(), query="?timezone=Asia/Jakarta")
    assert accepted.status_code == 200 and accepted.get_json()["matched"] == 0


def test_only_the_organizer_may_import(client, meeting):
    response = client.post(f"/v1/events/{meeting['id']}/online-attendance", data=REPORT.encode(), content_type="text/csv")
    assert response.status_code == 401


def test_a_report_larger_than_the_body_limit_is_refused(client, meeting, settings):
    big = HEADER.encode() + b"x" * (settings.max_body_bytes + 1)
    assert upload(client, meeting["id"], big).status_code == 413


def test_migration_0003_goes_down_and_up_again_with_stays_on_record(client, app, meeting, people):
    assert upload(client, meeting["id"], REPORT.encode()).status_code == 200
    engine = app.extensions[EXTENSION].session_factory.kw["bind"]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
        connection.commit()
        assert not inspect(connection).has_table("presence_intervals")
        command.upgrade(config, "head")
        connection.commit()
    assert upload(client, meeting["id"], REPORT.encode()).get_json()["registrations"][0]["changed"] is True


def test_two_imports_of_the_same_report_at_once_announce_each_total_once(app, session_factory, meeting, people):
    def post(_):
        return app.test_client().post(
            f"/v1/events/{meeting['id']}/online-attendance", data=REPORT.encode(), content_type="text/csv", headers=ADMIN
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(post, range(2)))
    assert [a.status_code for a in answers] == [200, 200]
    # The meeting's lock orders them: the second sees the first one's stays and changes nothing.
    assert sorted(sum(r["changed"] for r in a.get_json()["registrations"]) for a in answers) == [0, 2]
    assert len(outbox_events(session_factory, "stream.presence_recorded")) == 2
