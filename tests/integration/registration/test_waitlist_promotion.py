"""Cancelling and switching modes: the freed seat goes to the head of the waitlist in the same transaction."""


def positions(api, event_id):
    rows = [r for r in api.registration_rows(event_id) if r.status == "waitlisted"]
    return sorted(r.waitlist_position for r in rows)


def full_meeting(api, agency, seats=2, waiting=3):
    event = api.make_event(in_person_capacity=seats)
    confirmed = [api.register(agency, event["id"]) for _ in range(seats)]
    waitlisted = [api.register(agency, event["id"]) for _ in range(waiting)]
    return event, confirmed, waitlisted


def test_cancel_promotes_head_of_waitlist(api, agency):
    event, confirmed, waitlisted = full_meeting(api, agency)
    response = api.client.delete(f"/v1/registrations/{confirmed[0]['id']}", headers=agency["headers"])
    assert response.status_code == 200 and response.json["status"] == "cancelled" and response.json["cancelled_at"]
    head = api.client.get(f"/v1/registrations/{waitlisted[0]['id']}", headers=agency["headers"]).json
    assert head["status"] == "confirmed" and head["waitlist_position"] is None and len(head["check_in_code"]) == 8
    assert positions(api, event["id"]) == [1, 2]
    [promoted] = api.outbox("registration.promoted")
    assert promoted["data"]["registration_id"] == head["id"] and promoted["data"]["check_in_code"] == head["check_in_code"]
    assert promoted["data"]["status"] == "confirmed" and promoted["data"]["meeting"]["id"] == event["id"]
    [cancelled] = api.outbox("registration.cancelled")
    assert cancelled["data"]["registration_id"] == confirmed[0]["id"] and cancelled["data"]["previous_status"] == "confirmed"
    assert cancelled["data"]["participant"]["email"] == confirmed[0]["participant"]["email"]


def test_cancelling_a_waitlisted_person_closes_the_gap(api, agency):
    event, _, waitlisted = full_meeting(api, agency)
    api.client.delete(f"/v1/registrations/{waitlisted[1]['id']}", headers=agency["headers"])
    last = api.client.get(f"/v1/registrations/{waitlisted[2]['id']}", headers=agency["headers"]).json
    assert last["waitlist_position"] == 2 and positions(api, event["id"]) == [1, 2]
    assert api.outbox("registration.promoted") == []
    assert api.outbox("registration.cancelled")[0]["data"]["previous_status"] == "waitlisted"


def test_cancelling_twice_is_409(api, agency, event):
    registration = api.register(agency, event["id"])
    api.client.delete(f"/v1/registrations/{registration['id']}", headers=agency["headers"])
    response = api.client.delete(f"/v1/registrations/{registration['id']}", headers=agency["headers"])
    assert response.status_code == 409 and "already cancelled" in response.json["message"]
    assert len(api.outbox("registration.cancelled")) == 1


def test_the_organizer_may_cancel_any_registration(api, agency, event):
    registration = api.register(agency, event["id"])
    assert api.client.delete(f"/v1/registrations/{registration['id']}", headers=api.admin).json["status"] == "cancelled"


def test_switching_a_confirmed_person_online_promotes_head_of_waitlist(api, agency):
    event, confirmed, waitlisted = full_meeting(api, agency)
    response = api.client.patch(f"/v1/registrations/{confirmed[1]['id']}", json={"attendance_mode": "online"}, headers=agency["headers"])
    assert response.status_code == 200
    assert (
        response.json["attendance_mode"] == "online" and response.json["status"] == "confirmed" and response.json["check_in_code"] is None
    )
    assert api.client.get(f"/v1/registrations/{waitlisted[0]['id']}", headers=agency["headers"]).json["status"] == "confirmed"
    assert positions(api, event["id"]) == [1, 2]
    [changed] = api.outbox("registration.mode_changed")
    assert changed["data"]["previous_mode"] == "in_person" and changed["data"]["attendance_mode"] == "online"
    assert changed["data"]["status"] == "confirmed" and changed["data"]["waitlist_position"] is None
    assert [e["data"]["registration_id"] for e in api.outbox("registration.promoted")] == [waitlisted[0]["id"]]


def test_switching_to_in_person_when_full_joins_the_end_of_the_waitlist(api, agency):
    event, _, _ = full_meeting(api, agency, seats=1, waiting=1)
    online = api.register(agency, event["id"], attendance_mode="online")
    response = api.client.patch(f"/v1/registrations/{online['id']}", json={"attendance_mode": "in_person"}, headers=agency["headers"])
    assert response.json["status"] == "waitlisted" and response.json["waitlist_position"] == 2
    [changed] = api.outbox("registration.mode_changed")
    assert changed["data"]["previous_mode"] == "online" and changed["data"]["waitlist_position"] == 2


def test_switching_a_waitlisted_person_online_confirms_them_and_closes_the_gap(api, agency):
    event, _, waitlisted = full_meeting(api, agency)
    response = api.client.patch(f"/v1/registrations/{waitlisted[0]['id']}", json={"attendance_mode": "online"}, headers=agency["headers"])
    assert response.json["status"] == "confirmed" and response.json["waitlist_position"] is None
    assert positions(api, event["id"]) == [1, 2]
    assert api.outbox("registration.promoted") == []


def test_switching_to_the_same_mode_changes_nothing(api, agency, event):
    registration = api.register(agency, event["id"])
    response = api.client.patch(f"/v1/registrations/{registration['id']}", json={"attendance_mode": "in_person"}, headers=agency["headers"])
    assert response.status_code == 200 and response.json["check_in_code"] == registration["check_in_code"]
    assert api.outbox("registration.mode_changed") == []


def test_a_cancelled_registration_cannot_change_mode(api, agency, event):
    registration = api.register(agency, event["id"])
    api.client.delete(f"/v1/registrations/{registration['id']}", headers=agency["headers"])
    response = api.client.patch(f"/v1/registrations/{registration['id']}", json={"attendance_mode": "online"}, headers=agency["headers"])
    assert response.status_code == 409


def test_mode_patch_rejects_other_fields(api, agency, event):
    registration = api.register(agency, event["id"])
    response = api.client.patch(
        f"/v1/registrations/{registration['id']}", json={"attendance_mode": "online", "email": "x@y.id"}, headers=agency["headers"]
    )
    assert response.status_code == 422 and "email" in response.json["errors"]


def test_promotion_passes_over_an_agency_at_its_quota(api, agency, other_agency):
    event = api.make_event(in_person_capacity=2, agency_in_person_quota=1)
    mine = api.register(agency, event["id"])
    theirs = api.register(other_agency, event["id"])
    my_second = api.register(agency, event["id"])
    their_second = api.register(other_agency, event["id"])
    assert (my_second["waitlist_position"], their_second["waitlist_position"]) == (1, 2)
    api.client.delete(f"/v1/registrations/{theirs['id']}", headers=other_agency["headers"])
    assert api.client.get(f"/v1/registrations/{their_second['id']}", headers=api.admin).json["status"] == "confirmed"
    assert api.client.get(f"/v1/registrations/{my_second['id']}", headers=api.admin).json["waitlist_position"] == 1
    assert mine["status"] == "confirmed"
