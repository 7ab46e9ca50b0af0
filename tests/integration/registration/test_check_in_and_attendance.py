"""Check-in at the door by code, online joins from the bus, stats and attendance (JSON and CSV); the rest of the door is test_door.py."""

import csv
import datetime as dt
import io
import json
import uuid

from services.registration.handlers import HANDLERS
from shared.messaging.handling import process_message


def check_in(api, event_id, code, headers=None):
    return api.client.post(f"/v1/events/{event_id}/check-ins", json={"code": code}, headers=headers or api.admin)


def stream_joined(registration_id, event_id, at, event_id_on_bus=None):
    return json.dumps(
        {
            "id": event_id_on_bus or str(uuid.uuid4()),
            "type": "stream.joined",
            "version": 1,
            "occurred_at": at.isoformat(),
            "producer": "streaming",
            "correlation_id": None,
            "data": {"registration_id": registration_id, "event_id": event_id, "at": at.isoformat(), "channel_kind": "zoom"},
        }
    ).encode()


def deliver(api, body):
    factory = api.app.extensions["rakor_registration"].session_factory
    return process_message(body, attempt=1, handlers=HANDLERS, session_factory=factory)


def test_check_in_is_recorded_once_and_a_second_scan_answers_the_same_time(api, agency, event):
    registration = api.register(agency, event["id"])
    first = check_in(api, event["id"], registration["check_in_code"])
    second = check_in(api, event["id"], registration["check_in_code"].lower())
    assert first.status_code == second.status_code == 200
    assert first.json["registration_id"] == registration["id"] and first.json["agency_name"] == agency["name"]
    assert second.json["checked_in_at"] == first.json["checked_in_at"]
    [event_row] = api.outbox("registration.checked_in")
    assert event_row["data"]["registration_id"] == registration["id"] and event_row["data"]["event_id"] == event["id"]


def test_unknown_code_is_404(api, event):
    response = check_in(api, event["id"], "ZZZZ2222")
    assert response.status_code == 404 and "check-in code" in response.json["message"]


def test_a_code_of_another_meeting_is_refused_as_not_this_meeting(api, agency, event):
    registration = api.register(agency, event["id"])
    other = api.make_event()
    response = check_in(api, other["id"], registration["check_in_code"])
    assert (response.status_code, response.json["reason"]) == (409, "not_this_meeting")
    assert api.outbox("registration.checked_in") == []


def test_cancelled_registration_cannot_check_in(api, agency, event):
    registration = api.register(agency, event["id"])
    api.client.delete(f"/v1/registrations/{registration['id']}", headers=agency["headers"])
    response = check_in(api, event["id"], registration["check_in_code"])
    assert (response.status_code, response.json["reason"]) == (409, "cancelled") and "cancelled" in response.json["message"]
    assert api.outbox("registration.checked_in") == []


def test_check_in_needs_a_code(api, event):
    response = api.client.post(f"/v1/events/{event['id']}/check-ins", json={}, headers=api.admin)
    assert response.status_code == 422 and "code" in response.json["errors"]


def test_online_join_from_the_bus_is_recorded_once_per_event(api, agency, event):
    registration = api.register(agency, event["id"], attendance_mode="online")
    at = dt.datetime(2031, 12, 1, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    body = stream_joined(registration["id"], event["id"], at)
    assert deliver(api, body).action == "ack"
    assert deliver(api, body).reason == "duplicate"
    deliver(api, stream_joined(registration["id"], event["id"], at + dt.timedelta(minutes=30)))
    deliver(api, stream_joined(registration["id"], event["id"], at - dt.timedelta(hours=8)))  # earlier, in UTC terms too
    [row] = api.client.get(f"/v1/events/{event['id']}/attendance", headers=api.admin).json["participants"]
    assert row["online_join_count"] == 3 and row["attended"] is True
    assert dt.datetime.fromisoformat(row["online_joined_at"]) == at - dt.timedelta(hours=8)


def test_a_join_for_an_unknown_registration_is_acknowledged_and_ignored(api, event):
    outcome = deliver(api, stream_joined(str(uuid.uuid4()), event["id"], dt.datetime.now(dt.UTC)))
    assert outcome.action == "ack"


def attended_meeting(api, agency, other_agency):
    event = api.make_event(in_person_capacity=2)
    door = api.register(agency, event["id"])
    api.register(agency, event["id"])
    online = api.register(agency, event["id"], attendance_mode="online")
    api.register(other_agency, event["id"])
    check_in(api, event["id"], door["check_in_code"])
    deliver(api, stream_joined(online["id"], event["id"], dt.datetime(2031, 12, 1, 2, 0, tzinfo=dt.UTC)))
    return event


def test_stats_merge_check_ins_and_online_joins_per_agency(api, agency, other_agency):
    event = attended_meeting(api, agency, other_agency)
    stats = api.client.get(f"/v1/events/{event['id']}/stats", headers=api.admin).json
    assert stats["seats"] == {"capacity": 2, "taken": 2, "waitlisted": 1}
    assert stats["totals"]["attended"] == 2 and stats["totals"]["checked_in"] == 1 and stats["totals"]["joined_online"] == 1
    by_agency = {a["agency_id"]: a for a in stats["agencies"]}
    assert by_agency[agency["id"]]["attended"] == 2 and by_agency[other_agency["id"]]["waitlisted"] == 1


def test_agencies_see_only_their_own_rows_in_stats_and_attendance(api, agency, other_agency):
    event = attended_meeting(api, agency, other_agency)
    stats = api.client.get(f"/v1/events/{event['id']}/stats", headers=other_agency["headers"]).json
    assert [a["agency_id"] for a in stats["agencies"]] == [other_agency["id"]] and stats["totals"]["registered"] == 1
    report = api.client.get(f"/v1/events/{event['id']}/attendance", headers=other_agency["headers"]).json
    assert {p["agency_id"] for p in report["participants"]} == {other_agency["id"]}


def test_attendance_as_csv_lists_every_participant(api, agency, other_agency):
    event = attended_meeting(api, agency, other_agency)
    response = api.client.get(f"/v1/events/{event['id']}/attendance?format=csv", headers=api.admin)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4 and sum(r["attended"] == "True" for r in rows) == 2
    assert {"full_name", "agency_name", "checked_in_at", "online_joined_at"} <= set(rows[0])


def test_attendance_rejects_an_unknown_format_and_an_unknown_meeting(api, event):
    assert api.client.get(f"/v1/events/{event['id']}/attendance?format=docx", headers=api.admin).status_code == 422
    assert api.client.get("/v1/events/nope/attendance", headers=api.admin).status_code == 404
    assert api.client.get("/v1/events/nope/stats", headers=api.admin).status_code == 404


def test_attendance_csv_has_a_bom_and_formula_cells_neutralized(api, agency, event):
    api.register(agency, event["id"], full_name='=HYPERLINK("http://evil.example","Rina")', position="@SUM(A1)")
    response = api.client.get(f"/v1/events/{event['id']}/attendance?format=csv", headers=agency["headers"])
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf") and response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    (row,) = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert row["full_name"] == '\'=HYPERLINK("http://evil.example","Rina")' and row["position"] == "'@SUM(A1)"
