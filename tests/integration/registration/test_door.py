"""The door of a meeting: door tokens, check-in by code or id and its refusals, look-up, undo, the count, concurrent scans."""

import datetime as dt
import threading

import pytest
from sqlalchemy import text

from tests.factories.registration import make_door_token, participant


def door(token):
    return {"Authorization": f"Bearer {token['token']}"}


def scan(api, event_id, headers, **body):
    return api.client.post(f"/v1/events/{event_id}/check-ins", json=body, headers=headers)


def rows(api, query, **params):
    with api.app.extensions["rakor_engine"].connect() as connection:
        return connection.execute(text(query), params).all()


# ----- tokens ----------------------------------------------------------------------------------
def test_a_door_token_is_shown_once_listed_without_its_value_and_stored_hashed(api, event):
    token = make_door_token(api.client, event["id"], api.admin, expires_at="2031-12-01T18:00:00+07:00")
    assert token["token"].startswith("rkd_") and len(token["token"]) >= 4 + 22  # ≥128 random bits after the prefix
    assert token["label"] == "Pintu utama 1" and dt.datetime.fromisoformat(token["expires_at"]) == dt.datetime(
        2031, 12, 1, 11, tzinfo=dt.UTC
    )
    [listed] = api.client.get(f"/v1/events/{event['id']}/door-tokens", headers=api.admin).json
    assert listed["id"] == token["id"] and listed["active"] is True and listed["revoked_at"] is None and "token" not in listed
    assert listed["created_at"]
    [(stored,)] = rows(api, "SELECT token_hash FROM door_tokens")
    assert stored != token["token"] and len(stored) == 64


def test_a_revoked_door_token_is_401_at_once_and_listed_inactive(api, event):
    token = make_door_token(api.client, event["id"], api.admin)
    summary = f"/v1/events/{event['id']}/check-ins/summary"
    assert api.client.get(summary, headers=door(token)).status_code == 200
    assert api.client.delete(f"/v1/door-tokens/{token['id']}", headers=api.admin).status_code == 204
    assert api.client.get(summary, headers=door(token)).status_code == 401
    [listed] = api.client.get(f"/v1/events/{event['id']}/door-tokens", headers=api.admin).json
    assert listed["active"] is False and listed["revoked_at"] is not None
    assert api.client.delete(f"/v1/door-tokens/{token['id']}", headers=api.admin).status_code == 204  # again: unchanged
    assert api.client.delete("/v1/door-tokens/nope", headers=api.admin).status_code == 404


def test_an_expired_door_token_is_401(api, event):
    token = make_door_token(api.client, event["id"], api.admin, expires_at=(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)).isoformat())
    with api.app.extensions["rakor_engine"].begin() as connection:
        connection.execute(text("UPDATE door_tokens SET expires_at = :past"), {"past": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)})
    assert api.client.get(f"/v1/events/{event['id']}/check-ins/summary", headers=door(token)).status_code == 401
    [listed] = api.client.get(f"/v1/events/{event['id']}/door-tokens", headers=api.admin).json
    assert listed["active"] is False


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "label"),
        ({"label": ""}, "label"),
        ({"label": "Pintu", "expires_at": "2020-01-01T00:00:00+07:00"}, "expires_at"),
        ({"label": "Pintu", "expires_at": "2031-12-01T18:00:00"}, "expires_at"),
        ({"label": "Pintu", "token": "mine"}, "token"),
    ],
)
def test_a_bad_door_token_request_is_422_naming_the_field(api, event, body, field):
    response = api.client.post(f"/v1/events/{event['id']}/door-tokens", json=body, headers=api.admin)
    assert response.status_code == 422 and field in response.json["errors"]
    assert rows(api, "SELECT id FROM door_tokens") == []


def test_door_tokens_of_an_unknown_meeting_are_404(api):
    assert api.client.post("/v1/events/nope/door-tokens", json={"label": "Pintu"}, headers=api.admin).status_code == 404
    assert api.client.get("/v1/events/nope/door-tokens", headers=api.admin).status_code == 404


# ----- who may do what -------------------------------------------------------------------------
def test_a_door_token_works_only_its_own_meetings_door(api, agency, event):
    other = api.make_event()
    token = make_door_token(api.client, event["id"], api.admin)
    registration = api.register(agency, event["id"])
    for path in (f"/v1/events/{event['id']}/check-ins/summary", f"/v1/events/{event['id']}/check-ins/lookup?q=rina"):
        assert api.client.get(path, headers=door(token)).status_code == 200
    for path in (
        f"/v1/events/{other['id']}/check-ins/summary",
        f"/v1/events/{other['id']}/check-ins/lookup?q=rina",
        f"/v1/events/{event['id']}",
        f"/v1/events/{event['id']}/stats",
        f"/v1/events/{event['id']}/attendance",
        f"/v1/events/{event['id']}/registrations",
        f"/v1/registrations/{registration['id']}",
        "/v1/events",
        "/v1/agencies",
        f"/v1/events/{event['id']}/door-tokens",
    ):
        assert api.client.get(path, headers=door(token)).status_code == 403, path
    assert scan(api, other["id"], door(token), code=registration["check_in_code"]).status_code == 403
    assert api.client.post(f"/v1/events/{event['id']}/registrations", json=participant(), headers=door(token)).status_code == 403
    assert api.client.delete(f"/v1/door-tokens/{token['id']}", headers=door(token)).status_code == 403
    assert rows(api, "SELECT id FROM registrations WHERE checked_in_at IS NOT NULL") == []


def test_an_agency_key_is_403_on_every_door_endpoint(api, agency, event):
    registration = api.register(agency, event["id"])
    base = f"/v1/events/{event['id']}/check-ins"
    assert scan(api, event["id"], agency["headers"], code=registration["check_in_code"]).status_code == 403
    for path in (f"{base}/summary", f"{base}/lookup?q=rina"):
        assert api.client.get(path, headers=agency["headers"]).status_code == 403
    assert api.client.delete(f"{base}/{registration['id']}", headers=agency["headers"]).status_code == 403


def test_an_unknown_door_token_is_401(api, event):
    headers = {"Authorization": "Bearer rkd_" + "x" * 43}
    assert api.client.get(f"/v1/events/{event['id']}/check-ins/summary", headers=headers).status_code == 401


# ----- check-in --------------------------------------------------------------------------------
def test_a_door_token_checks_in_by_code_once_and_a_second_scan_says_already(api, agency, event):
    token = make_door_token(api.client, event["id"], api.admin)
    registration = api.register(agency, event["id"])
    first = scan(api, event["id"], door(token), code=registration["check_in_code"])
    second = scan(api, event["id"], door(token), code=registration["check_in_code"].lower())
    assert first.status_code == second.status_code == 200
    assert first.json["already_checked_in"] is False and second.json["already_checked_in"] is True
    assert second.json["checked_in_at"] == first.json["checked_in_at"]
    assert first.json["full_name"] == registration["participant"]["full_name"] and first.json["agency_name"] == agency["name"]
    assert first.json["attendance_mode"] == "in_person"
    assert len(api.outbox("registration.checked_in")) == 1


def test_check_in_by_registration_id(api, agency, event):
    registration = api.register(agency, event["id"])
    response = scan(api, event["id"], api.admin, registration_id=registration["id"])
    assert response.status_code == 200 and response.json["registration_id"] == registration["id"]


@pytest.mark.parametrize("body", [{}, {"code": "ABCD2345", "registration_id": "x"}, {"code": "AB"}, {"code": "ABCD2345", "extra": 1}])
def test_check_in_needs_exactly_one_of_code_and_registration_id(api, event, body):
    response = scan(api, event["id"], api.admin, **body)
    assert response.status_code == 422 and response.json["errors"]


def test_unknown_code_or_registration_id_is_404(api, event):
    assert scan(api, event["id"], api.admin, code="ZZZZ2222").status_code == 404
    assert scan(api, event["id"], api.admin, registration_id="00000000-0000-0000-0000-000000000000").status_code == 404
    assert scan(api, event["id"], api.admin, registration_id="not-an-id").status_code == 404


def test_refusals_say_why(api, agency, event):
    full = api.make_event(in_person_capacity=1)
    api.register(agency, full["id"])
    waitlisted = api.register(agency, full["id"])
    online = api.register(agency, full["id"], attendance_mode="online")
    cancelled = api.register(agency, full["id"])  # waitlisted too, then cancelled
    api.client.delete(f"/v1/registrations/{cancelled['id']}", headers=agency["headers"])
    elsewhere = api.register(agency, event["id"])
    expected = {waitlisted["id"]: "waitlisted", online["id"]: "online", cancelled["id"]: "cancelled", elsewhere["id"]: "not_this_meeting"}
    for registration_id, reason in expected.items():
        response = scan(api, full["id"], api.admin, registration_id=registration_id)
        assert (response.status_code, response.json["reason"]) == (409, reason)
    assert api.outbox("registration.checked_in") == []


# ----- look-up, summary, undo ------------------------------------------------------------------
def test_lookup_finds_by_name_nip_email_or_code_and_answers_only_door_fields(api, agency, other_agency, event):
    dewi = api.register(
        agency, event["id"], full_name="Dewi Anggraini Siregar", email="dewi.siregar@kemendagri.go.id", nip="198703152010012001"
    )
    api.register(other_agency, event["id"], full_name="Bambang Sutrisno")
    api.register(agency, api.make_event()["id"], full_name="Dewi Lestari")  # another meeting
    base = f"/v1/events/{event['id']}/check-ins/lookup"
    for q in ("dewi", "SIREGAR", "198703152010", "DEWI.SIREGAR@", dewi["check_in_code"].lower()):
        response = api.client.get(base, query_string={"q": q}, headers=api.admin)
        assert response.status_code == 200
        assert [m["registration_id"] for m in response.json] == [dewi["id"]], q
    [match] = api.client.get(base, query_string={"q": "dewi"}, headers=api.admin).json
    assert match == {
        "registration_id": dewi["id"],
        "full_name": "Dewi Anggraini Siregar",
        "agency_name": agency["name"],
        "attendance_mode": "in_person",
        "status": "confirmed",
        "checked_in_at": None,
    }
    assert api.client.get(base, query_string={"q": "50%"}, headers=api.admin).json == []
    assert api.client.get(base, query_string={"q": "x"}, headers=api.admin).status_code == 422
    assert api.client.get(base, headers=api.admin).status_code == 422


def test_lookup_answers_at_most_ten(api, agency):
    event = api.make_event(in_person_capacity=20)
    for n in range(12):
        api.register(agency, event["id"], full_name=f"Siti Nurhaliza {n}")
    response = api.client.get(f"/v1/events/{event['id']}/check-ins/lookup", query_string={"q": "siti"}, headers=api.admin)
    assert len(response.json) == 10


def test_summary_counts_confirmed_in_person_and_those_checked_in(api, agency):
    event = api.make_event(in_person_capacity=2)
    first = api.register(agency, event["id"])
    api.register(agency, event["id"])
    api.register(agency, event["id"])  # waitlisted
    api.register(agency, event["id"], attendance_mode="online")
    scan(api, event["id"], api.admin, code=first["check_in_code"])
    response = api.client.get(f"/v1/events/{event['id']}/check-ins/summary", headers=api.admin)
    assert response.json == {"checked_in": 1, "confirmed_in_person": 2}


def test_undo_clears_the_check_in_records_who_and_tells_the_bus(api, agency, event):
    token = make_door_token(api.client, event["id"], api.admin)
    registration = api.register(agency, event["id"])
    checked = scan(api, event["id"], door(token), code=registration["check_in_code"]).json
    response = api.client.delete(f"/v1/events/{event['id']}/check-ins/{registration['id']}", headers=door(token))
    assert response.status_code == 200 and response.json["checked_in_at"] is None
    assert response.json["reverted_check_in_at"] == checked["checked_in_at"]
    [(by, token_id)] = rows(
        api, "SELECT reverted_by, door_token_id FROM check_in_reversals WHERE registration_id = :r", r=registration["id"]
    )
    assert (by, token_id) == ("door", token["id"])
    [reverted] = api.outbox("registration.check_in_reverted")
    assert reverted["data"]["registration_id"] == registration["id"] and reverted["data"]["checked_in_at"] == checked["checked_in_at"]
    assert api.client.get(f"/v1/events/{event['id']}/check-ins/summary", headers=door(token)).json["checked_in"] == 0
    again = scan(api, event["id"], door(token), code=registration["check_in_code"])
    assert again.json["already_checked_in"] is False and len(api.outbox("registration.checked_in")) == 2


def test_undo_refuses_what_it_cannot_undo(api, agency, event):
    registration = api.register(agency, event["id"])
    base = f"/v1/events/{event['id']}/check-ins"
    not_in = api.client.delete(f"{base}/{registration['id']}", headers=api.admin)
    assert (not_in.status_code, not_in.json["reason"]) == (409, "not_checked_in")
    other = api.make_event()
    scan(api, event["id"], api.admin, code=registration["check_in_code"])
    elsewhere = api.client.delete(f"/v1/events/{other['id']}/check-ins/{registration['id']}", headers=api.admin)
    assert (elsewhere.status_code, elsewhere.json["reason"]) == (409, "not_this_meeting")
    assert api.client.delete(f"{base}/nope", headers=api.admin).status_code == 404
    assert rows(api, "SELECT id FROM check_in_reversals") == [] and api.outbox("registration.check_in_reverted") == []
    [(checked_in_at,)] = rows(api, "SELECT checked_in_at FROM registrations WHERE id = :r", r=registration["id"])
    assert checked_in_at is not None


# ----- two phones, one code --------------------------------------------------------------------
def test_two_phones_scanning_one_code_at_once_record_one_check_in(api, agency):
    event = api.make_event(in_person_capacity=5)
    people = [api.register(agency, event["id"]) for _ in range(5)]
    tokens = [make_door_token(api.client, event["id"], api.admin, label=f"Pintu {n}") for n in range(4)]
    answers: list = []
    lock = threading.Lock()
    for person in people:
        barrier = threading.Barrier(len(tokens))

        def phone(token, code=person["check_in_code"], barrier=barrier):
            client = api.app.test_client()
            barrier.wait()
            response = client.post(f"/v1/events/{event['id']}/check-ins", json={"code": code}, headers=door(token))
            with lock:
                answers.append((code, response.status_code, response.json))

        threads = [threading.Thread(target=phone, args=(token,)) for token in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert {status for _, status, _ in answers} == {200}
    for person in people:
        mine = [body for code, _, body in answers if code == person["check_in_code"]]
        assert sum(not body["already_checked_in"] for body in mine) == 1
        assert len({body["checked_in_at"] for body in mine}) == 1
    events = api.outbox("registration.checked_in")
    assert sorted(e["data"]["registration_id"] for e in events) == sorted(p["id"] for p in people)
