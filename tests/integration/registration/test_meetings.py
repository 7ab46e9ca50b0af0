"""Meetings: validation, reading with seats, updates that raise the invitation sequence, events in the outbox."""

import datetime as dt

import pytest

from tests.factories.registration import meeting_body


def test_create_meeting_records_event_created_with_the_meeting(api, event):
    assert event["sequence"] == 0 and event["seats"] == {"capacity": 3, "taken": 0, "waitlisted": 0}
    assert event["timezone"] == "Asia/Jakarta" and event["online"] is True
    [created] = api.outbox("event.created")
    assert created["data"]["id"] == event["id"]
    assert created["data"]["venue"]["name"] == "Hotel Aviary Bintaro"
    assert created["data"]["changed_fields"] == [] and created["producer"] == "registration"


def test_timezone_defaults_to_jakarta(api):
    body = meeting_body()
    del body["timezone"]
    assert api.client.post("/v1/events", json=body, headers=api.admin).json["timezone"] == "Asia/Jakarta"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"ends_at": "2031-12-01T08:00:00+07:00"}, "ends_at"),
        ({"timezone": "Asia/Bintaro"}, "timezone"),
        ({"in_person_capacity": -1}, "in_person_capacity"),
        ({"in_person_capacity": "seratus"}, "in_person_capacity"),
        ({"agency_in_person_quota": 4}, "agency_in_person_quota"),
        ({"starts_at": "2031-12-01T09:00:00"}, "starts_at"),
        ({"starts_at": "besok pagi"}, "starts_at"),
        ({"venue": {"name": "Hotel Aviary"}}, "venue"),
        ({"title": None}, "title"),
        ({"zoom_url": "https://zoom.us/j/1"}, "zoom_url"),
        ({"organizer": {"unit": "Biro Hukum"}}, "organizer"),
        ({"organizer": {"name": "Kementerian PANRB", "logo": "x"}}, "organizer"),
        ({"venue": {"name": "Hotel Aviary", "address": "Jl. Boulevard Bintaro", "latitude": -6.28}}, "venue"),
        ({"venue": {"name": "Hotel Aviary", "address": "Jl. Boulevard Bintaro", "latitude": 95, "longitude": 106.7}}, "venue"),
    ],
)
def test_invalid_meeting_is_422_naming_the_field_and_writes_nothing(api, overrides, field):
    response = api.client.post("/v1/events", json=meeting_body(**overrides), headers=api.admin)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert api.client.get("/v1/events", headers=api.admin).json == []
    assert api.outbox() == []


def test_missing_required_fields_are_each_named(api):
    response = api.client.post("/v1/events", json={}, headers=api.admin)
    assert response.status_code == 422
    assert {"title", "starts_at", "ends_at", "venue", "in_person_capacity"} <= set(response.json["errors"])


def test_agencies_read_meetings_with_their_seats(api, agency, event):
    api.register(agency, event["id"])
    api.register(agency, event["id"], attendance_mode="online")
    read = api.client.get(f"/v1/events/{event['id']}", headers=agency["headers"]).json
    assert read["seats"] == {"capacity": 3, "taken": 1, "waitlisted": 0}
    assert [m["id"] for m in api.client.get("/v1/events", headers=agency["headers"]).json] == [event["id"]]


def test_unknown_meeting_is_404(api):
    assert api.client.get("/v1/events/no-such-meeting", headers=api.admin).status_code == 404
    assert api.client.patch("/v1/events/no-such-meeting", json={"title": "Rapat"}, headers=api.admin).status_code == 404


def test_changing_time_raises_sequence_and_records_changed_fields(api, event):
    response = api.client.patch(
        f"/v1/events/{event['id']}",
        json={"starts_at": "2031-12-01T10:00:00+07:00", "ends_at": "2031-12-01T17:00:00+07:00", "title": event["title"]},
        headers=api.admin,
    )
    assert response.status_code == 200 and response.json["sequence"] == 1
    [updated] = api.outbox("event.updated")
    assert updated["data"]["changed_fields"] == ["starts_at", "ends_at"]
    assert updated["data"]["sequence"] == 1
    assert dt.datetime.fromisoformat(updated["data"]["starts_at"]) == dt.datetime(2031, 12, 1, 3, tzinfo=dt.UTC)


def test_changing_venue_raises_sequence(api, event):
    venue = {"name": "Hotel Borobudur", "address": "Jl. Lapangan Banteng Selatan No. 1", "city": "Jakarta Pusat"}
    response = api.client.patch(f"/v1/events/{event['id']}", json={"venue": venue}, headers=api.admin)
    assert response.json["sequence"] == 1 and response.json["venue"] == {**venue, "latitude": None, "longitude": None}
    assert api.outbox("event.updated")[0]["data"]["changed_fields"] == ["venue"]


def test_changing_only_the_title_keeps_the_sequence(api, event):
    response = api.client.patch(f"/v1/events/{event['id']}", json={"title": "Rakor Pranata Humas 2021"}, headers=api.admin)
    assert response.json["sequence"] == 0
    assert api.outbox("event.updated")[0]["data"]["changed_fields"] == ["title"]


def test_a_patch_that_changes_nothing_records_nothing(api, event):
    response = api.client.patch(f"/v1/events/{event['id']}", json={"title": event["title"]}, headers=api.admin)
    assert response.status_code == 200
    assert api.outbox("event.updated") == []


def test_patch_is_checked_against_the_merged_meeting(api, event):
    response = api.client.patch(f"/v1/events/{event['id']}", json={"ends_at": "2031-12-01T08:00:00+07:00"}, headers=api.admin)
    assert response.status_code == 422 and "ends_at" in response.json["errors"]
    assert api.client.get(f"/v1/events/{event['id']}", headers=api.admin).json["ends_at"] == event["ends_at"]


def test_capacity_cannot_drop_below_confirmed_seats(api, agency, event):
    api.register(agency, event["id"])
    api.register(agency, event["id"])
    response = api.client.patch(f"/v1/events/{event['id']}", json={"in_person_capacity": 1}, headers=api.admin)
    assert response.status_code == 409 and "2 in-person seats" in response.json["message"]


def test_more_capacity_promotes_the_waitlist(api, agency):
    event = api.make_event(in_person_capacity=1)
    api.register(agency, event["id"])
    waiting = api.register(agency, event["id"])
    assert waiting["status"] == "waitlisted"
    api.client.patch(f"/v1/events/{event['id']}", json={"in_person_capacity": 2}, headers=api.admin)
    promoted = api.client.get(f"/v1/registrations/{waiting['id']}", headers=agency["headers"]).json
    assert promoted["status"] == "confirmed" and promoted["check_in_code"]
    assert [e["data"]["registration_id"] for e in api.outbox("registration.promoted")] == [waiting["id"]]


def test_channels_default_to_email_and_sms_and_travel_in_every_snapshot(api, agency, event):
    assert event["channels"] == ["email", "sms"]
    patched = api.client.patch(f"/v1/events/{event['id']}", json={"channels": ["email", "whatsapp", "sms_fallback"]}, headers=api.admin)
    assert patched.status_code == 200 and patched.json["channels"] == ["email", "whatsapp", "sms_fallback"]
    [updated] = api.outbox("event.updated")
    assert updated["data"]["channels"] == ["email", "whatsapp", "sms_fallback"] and updated["data"]["changed_fields"] == ["channels"]
    assert patched.json["sequence"] == 0  # no new invitation for a change of channels
    api.register(agency, event["id"])
    [confirmed] = api.outbox("registration.confirmed")
    assert confirmed["data"]["meeting"]["channels"] == ["email", "whatsapp", "sms_fallback"]


@pytest.mark.parametrize(
    "channels",
    [
        [],
        ["email", "email"],
        ["email", "fax"],
        ["email", "sms_fallback"],
        ["sms_fallback", "whatsapp"],
        ["whatsapp", "sms", "sms_fallback"],
        "email",
    ],
)
def test_bad_channel_orders_are_422_and_change_nothing(api, event, channels):
    response = api.client.patch(f"/v1/events/{event['id']}", json={"channels": channels}, headers=api.admin)
    assert response.status_code == 422 and "channels" in response.json["errors"]
    assert api.client.get(f"/v1/events/{event['id']}", headers=api.admin).json["channels"] == ["email", "sms"]
    created = api.client.post("/v1/events", json=meeting_body(channels=channels), headers=api.admin)
    assert created.status_code == 422 and "channels" in created.json["errors"]


ORGANIZER = {
    "name": "Kementerian Komunikasi dan Informatika",
    "unit": "Direktorat Jenderal Informasi dan Komunikasi Publik",
    "signatory_name": "Usman Kansong",
    "signatory_title": "Direktur Jenderal Informasi dan Komunikasi Publik",
}


def test_a_meeting_names_its_organizer_and_venue_coordinates_and_the_snapshot_carries_them(api):
    venue = {
        "name": "Hotel Aviary Bintaro",
        "address": "Jl. Boulevard Bintaro Jaya Blok B7/A1",
        "city": "Tangerang Selatan",
        "latitude": -6.2797,
        "longitude": 106.7107,
    }
    created = api.client.post("/v1/events", json=meeting_body(organizer=ORGANIZER, venue=venue), headers=api.admin)
    assert created.status_code == 201
    assert created.json["organizer"] == ORGANIZER and created.json["venue"] == venue
    [event] = api.outbox("event.created")
    assert event["data"]["organizer"] == ORGANIZER and event["data"]["venue"] == venue


def test_a_meeting_without_organizer_leaves_it_to_the_default(api, event):
    assert event["organizer"] is None
    assert api.outbox("event.created")[0]["data"]["organizer"] is None


def test_changing_the_organizer_is_announced_without_new_invitations(api, event):
    response = api.client.patch(f"/v1/events/{event['id']}", json={"organizer": {"name": "Kementerian PANRB"}}, headers=api.admin)
    assert response.status_code == 200 and response.json["sequence"] == 0
    assert response.json["organizer"] == {"name": "Kementerian PANRB", "unit": None, "signatory_name": None, "signatory_title": None}
    [updated] = api.outbox("event.updated")
    assert updated["data"]["changed_fields"] == ["organizer"] and updated["data"]["organizer"]["name"] == "Kementerian PANRB"
    cleared = api.client.patch(f"/v1/events/{event['id']}", json={"organizer": None}, headers=api.admin)
    assert cleared.json["organizer"] is None and api.outbox("event.updated")[-1]["data"]["organizer"] is None
