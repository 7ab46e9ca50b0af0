"""Single registrations: seats, waitlist, duplicates, closing, idempotency, bad input and agency isolation."""

import pytest

from tests.factories.registration import participant
from tests.integration.registration.conftest import registration_settings
from tests.integration.registration.harness import RegistrationApi


def test_in_person_registrations_are_confirmed_up_to_capacity_then_waitlisted(api, agency, event):
    first = [api.register(agency, event["id"]) for _ in range(3)]
    waiting = [api.register(agency, event["id"]) for _ in range(2)]
    assert {r["status"] for r in first} == {"confirmed"} and all(len(r["check_in_code"]) == 8 for r in first)
    assert [(r["status"], r["waitlist_position"], r["check_in_code"]) for r in waiting] == [
        ("waitlisted", 1, None),
        ("waitlisted", 2, None),
    ]
    assert api.client.get(f"/v1/events/{event['id']}", headers=api.admin).json["seats"] == {"capacity": 3, "taken": 3, "waitlisted": 2}


def test_registration_answer_has_the_participant_with_phone_in_e164(api, agency, event):
    body = api.register(agency, event["id"], phone="0812-3456-7890", email="Rina.Wulandari@KOMINFO.go.id", locale="en")
    assert body["event_id"] == event["id"] and body["agency_id"] == agency["id"]
    assert body["participant"]["phone"] == "+6281234567890"
    assert body["participant"]["email"] == "Rina.Wulandari@kominfo.go.id"
    assert body["participant"]["locale"] == "en" and body["attendance_mode"] == "in_person"


def test_online_registrations_are_confirmed_whatever_the_seats(api, agency):
    event = api.make_event(in_person_capacity=0)
    body = api.register(agency, event["id"], attendance_mode="online")
    assert body["status"] == "confirmed" and body["check_in_code"] is None


def test_online_registration_is_refused_when_the_meeting_is_not_online(api, agency):
    event = api.make_event(online=False)
    response = api.register(agency, event["id"], expect=409, attendance_mode="online")
    assert "online" in response.json["message"]


def test_confirmed_and_waitlisted_events_carry_contact_and_meeting(api, agency):
    event = api.make_event(in_person_capacity=1)
    confirmed = api.register(agency, event["id"])
    waiting = api.register(agency, event["id"])
    [c] = api.outbox("registration.confirmed")
    [w] = api.outbox("registration.waitlisted")
    assert c["data"]["registration_id"] == confirmed["id"] and c["data"]["check_in_code"] == confirmed["check_in_code"]
    assert c["data"]["participant"]["email"] == confirmed["participant"]["email"]
    assert c["data"]["participant"]["phone"].startswith("+62")
    assert c["data"]["meeting"]["venue"]["name"] == "Hotel Aviary Bintaro" and c["data"]["meeting"]["sequence"] == 0
    assert c["data"]["agency_name"] == agency["name"]
    assert w["data"]["registration_id"] == waiting["id"] and w["data"]["waitlist_position"] == 1 and w["data"]["status"] == "waitlisted"


@pytest.mark.parametrize("field", ["email", "nip"])
def test_the_same_email_or_nip_twice_from_the_same_agency_is_409_with_the_existing_id(api, agency, event, field):
    first = api.register(agency, event["id"])
    again = participant(**{field: first["participant"][field]})
    response = api.client.post(f"/v1/events/{event['id']}/registrations", json=again, headers=agency["headers"])
    assert response.status_code == 409
    assert response.json["existing_id"] == first["id"]
    assert len(api.outbox("registration.confirmed")) == 1


@pytest.mark.parametrize("field", ["email", "nip"])
def test_another_agencys_duplicate_is_409_without_its_id(api, agency, other_agency, event, field):
    first = api.register(agency, event["id"])
    again = participant(**{field: first["participant"][field]})
    response = api.client.post(f"/v1/events/{event['id']}/registrations", json=again, headers=other_agency["headers"])
    assert response.status_code == 409
    assert "existing_id" not in response.json and first["id"] not in response.get_data(as_text=True)
    bulk = api.client.post(f"/v1/events/{event['id']}/registrations/bulk", json={"registrations": [again]}, headers=other_agency["headers"])
    assert bulk.json["results"][0]["outcome"] == "duplicate"
    assert "existing_id" not in bulk.json["results"][0] and first["id"] not in bulk.get_data(as_text=True)
    assert len(api.outbox("registration.confirmed")) == 1


def test_a_cancelled_participant_may_register_again(api, agency, event):
    first = api.register(agency, event["id"])
    api.client.delete(f"/v1/registrations/{first['id']}", headers=agency["headers"])
    again = api.register(agency, event["id"], email=first["participant"]["email"], nip=first["participant"]["nip"])
    assert again["id"] != first["id"]


def test_registration_after_closing_time_is_409(api, agency):
    event = api.make_event(registration_closes_at="2021-11-29T23:59:00+07:00")
    response = api.register(agency, event["id"], expect=409)
    assert "closed" in response.json["message"]
    assert api.registration_rows(event["id"]) == []


def test_unknown_meeting_is_404(api, agency):
    response = api.register(agency, "no-such-meeting", expect=404)
    assert response.json["message"] == "No meeting with this id."


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"phone": "021-3456789"}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"nip": "198513322010012003"}, "nip"),
        ({"nip": "19850312"}, "nip"),
        ({"email": "rina@"}, "email"),
        ({"attendance_mode": "hybrid"}, "attendance_mode"),
        ({"locale": "fr"}, "locale"),
        ({"full_name": 42}, "full_name"),
        ({"full_name": ...}, "full_name"),
        ({"attendance_mode": ...}, "attendance_mode"),
        ({"shirt_size": "L"}, "shirt_size"),
    ],
)
def test_invalid_registration_is_422_naming_the_field_and_writes_nothing(api, agency, event, overrides, field):
    response = api.register(agency, event["id"], expect=422, **overrides)
    assert field in response.json["errors"], response.json
    assert api.registration_rows(event["id"]) == []
    assert api.outbox("registration.confirmed") == []


@pytest.mark.parametrize("body", [b'{"full_name": "Rina"', b"[1, 2]", b"null", b"\xff\xfe"])
def test_malformed_json_is_422(api, agency, event, body):
    response = api.client.post(
        f"/v1/events/{event['id']}/registrations", data=body, content_type="application/json", headers=agency["headers"]
    )
    assert response.status_code == 422
    assert response.json["errors"]


def test_a_body_over_the_size_limit_is_413(tmp_path, sqlite_url_factory):
    api = RegistrationApi(
        __import__("services.registration.app", fromlist=["create_app"]).create_app(
            registration_settings(sqlite_url_factory(), tmp_path, MAX_BODY_BYTES="2048")
        )
    )
    agency, event = api.make_agency(), api.make_event()
    response = api.register(agency, event["id"], expect=413, position="x" * 4000)
    assert response.status_code == 413 and "2048" in response.json["message"]
    assert api.registration_rows(event["id"]) == []


def test_same_idempotency_key_and_body_replays_the_first_answer(api, agency, event):
    body = participant()
    headers = {**agency["headers"], "Idempotency-Key": "hr-batch-7-row-1"}
    first = api.client.post(f"/v1/events/{event['id']}/registrations", json=body, headers=headers)
    second = api.client.post(f"/v1/events/{event['id']}/registrations", json=dict(reversed(list(body.items()))), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json == first.json and second.headers["Idempotent-Replayed"] == "true"
    assert len(api.registration_rows(event["id"])) == 1 and len(api.outbox("registration.confirmed")) == 1


def test_same_idempotency_key_with_another_body_is_422(api, agency, event):
    headers = {**agency["headers"], "Idempotency-Key": "hr-batch-7-row-1"}
    api.client.post(f"/v1/events/{event['id']}/registrations", json=participant(), headers=headers)
    response = api.client.post(f"/v1/events/{event['id']}/registrations", json=participant(), headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]
    assert len(api.registration_rows(event["id"])) == 1


def test_idempotency_keys_belong_to_one_agency(api, agency, other_agency, event):
    key = {"Idempotency-Key": "row-1"}
    a = api.register(agency, event["id"], headers=key)
    b = api.register(other_agency, event["id"], headers=key)
    assert a["id"] != b["id"]


def test_agency_quota_waitlists_its_extra_people_while_seats_remain(api, agency, other_agency):
    event = api.make_event(in_person_capacity=3, agency_in_person_quota=1)
    assert api.register(agency, event["id"])["status"] == "confirmed"
    assert api.register(agency, event["id"])["waitlist_position"] == 1
    assert api.register(other_agency, event["id"])["status"] == "confirmed"


def test_an_agency_never_learns_of_another_agencys_registration(api, agency, other_agency, event):
    theirs = api.register(other_agency, event["id"])
    path = f"/v1/registrations/{theirs['id']}"
    for response in (
        api.client.get(path, headers=agency["headers"]),
        api.client.patch(path, json={"attendance_mode": "online"}, headers=agency["headers"]),
        api.client.delete(path, headers=agency["headers"]),
        api.client.get("/v1/registrations/no-such-id", headers=agency["headers"]),
    ):
        assert response.status_code == 404
        assert response.json["message"] == "No registration with this id."
    assert api.client.get(path, headers=api.admin).json["status"] == "confirmed"


def test_listing_shows_an_agency_only_its_own_and_the_organizer_all(api, agency, other_agency, event):
    mine = api.register(agency, event["id"])
    api.register(other_agency, event["id"])
    listed = api.client.get(f"/v1/events/{event['id']}/registrations", headers=agency["headers"]).json
    assert [r["id"] for r in listed["items"]] == [mine["id"]] and listed["next_cursor"] is None
    assert len(api.client.get(f"/v1/events/{event['id']}/registrations", headers=api.admin).json["items"]) == 2


def test_listing_pages_with_an_opaque_cursor_in_a_stable_order(api, agency, event):
    created = [api.register(agency, event["id"], attendance_mode="online")["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.client.get(f"/v1/events/{event['id']}/registrations", query_string=query, headers=agency["headers"]).json
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(created) and len(seen) == 5


def test_listing_filters_by_status_and_mode(api, agency):
    event = api.make_event(in_person_capacity=1)
    api.register(agency, event["id"])
    waiting = api.register(agency, event["id"])
    online = api.register(agency, event["id"], attendance_mode="online")
    path = f"/v1/events/{event['id']}/registrations"
    by_status = api.client.get(path, query_string={"status": "waitlisted"}, headers=api.admin).json["items"]
    by_mode = api.client.get(path, query_string={"attendance_mode": "online"}, headers=api.admin).json["items"]
    assert [r["id"] for r in by_status] == [waiting["id"]] and [r["id"] for r in by_mode] == [online["id"]]


@pytest.mark.parametrize("query, field", [({"status": "maybe"}, "status"), ({"limit": 0}, "limit"), ({"cursor": "garbage"}, "cursor")])
def test_bad_listing_query_is_422_naming_the_parameter(api, event, query, field):
    response = api.client.get(f"/v1/events/{event['id']}/registrations", query_string=query, headers=api.admin)
    assert response.status_code == 422 and field in response.json["errors"]


def test_listing_an_unknown_meeting_is_404(api, agency):
    assert api.client.get("/v1/events/nope/registrations", headers=agency["headers"]).status_code == 404
