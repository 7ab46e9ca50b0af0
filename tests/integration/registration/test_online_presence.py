"""stream.presence_recorded: minutes per registration, the meeting's minimum, attendance and certificates judged by them."""

import datetime as dt
import io
import json
import uuid

import openpyxl
import pytest

from services.registration.handlers import HANDLERS
from shared.messaging.handling import ACK, process_message
from tests.integration.registration.test_certificates import PAST, check_in, issue, join_online, listed
from tests.pdf_reading import pdf_text

UTC = dt.UTC


def presence(registration_id, event_id, minutes, first_join_at="2021-12-01T01:58:00+00:00", occurred_at=None):
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": "stream.presence_recorded",
            "version": 1,
            "occurred_at": (occurred_at or dt.datetime.now(UTC)).isoformat(),
            "producer": "streaming",
            "correlation_id": None,
            "data": {
                "registration_id": registration_id,
                "event_id": event_id,
                "minutes": minutes,
                "source": "zoom_csv",
                "first_join_at": first_join_at,
            },
        }
    ).encode()


def deliver(api, body):
    outcome = process_message(body, attempt=1, handlers=HANDLERS, session_factory=api.app.extensions["rakor_registration"].session_factory)
    assert outcome.action == ACK, outcome
    return outcome


def attendance(api, event_id, headers=None):
    response = api.client.get(f"/v1/events/{event_id}/attendance", headers=headers or api.admin)
    assert response.status_code == 200, response.json
    return response.json


def test_a_meeting_takes_min_online_minutes_on_create_and_update(api):
    event = api.make_event(min_online_minutes=60)
    assert event["min_online_minutes"] == 60
    patched = api.client.patch(f"/v1/events/{event['id']}", json={"min_online_minutes": 45}, headers=api.admin)
    assert patched.status_code == 200 and patched.json["min_online_minutes"] == 45
    assert api.make_event()["min_online_minutes"] == 0


@pytest.mark.parametrize("value", [-1, "60", 10_001, None])
def test_a_wrong_min_online_minutes_is_refused_by_field(api, event, value):
    response = api.client.patch(f"/v1/events/{event['id']}", json={"min_online_minutes": value}, headers=api.admin)
    assert response.status_code == 422 and "min_online_minutes" in response.json["errors"]


def test_with_a_report_online_attended_means_at_least_the_minimum(api, agency):
    event = api.make_event(min_online_minutes=60)
    stayed, left_early, absent = (api.register(agency, event["id"], attendance_mode="online") for _ in range(3))
    join_online(api, absent["id"])  # opened the link, but the report does not have them
    before = {p["registration_id"]: p for p in attendance(api, event["id"])["participants"]}
    assert before[absent["id"]]["attended"] is True and attendance(api, event["id"])["online_report"] is False

    deliver(api, presence(stayed["id"], event["id"], 95))
    deliver(api, presence(left_early["id"], event["id"], 20))

    report = attendance(api, event["id"])
    rows = {p["registration_id"]: p for p in report["participants"]}
    assert report["online_report"] is True and report["min_online_minutes"] == 60
    assert (rows[stayed["id"]]["online_minutes"], rows[stayed["id"]]["attended"]) == (95, True)
    assert (rows[left_early["id"]]["online_minutes"], rows[left_early["id"]]["attended"]) == (20, False)
    assert (rows[absent["id"]]["online_minutes"], rows[absent["id"]]["attended"]) == (None, False)
    assert rows[stayed["id"]]["first_join_at"] == "2021-12-01T01:58:00+00:00"
    assert report["totals"]["attended"] == 1 and report["agencies"][0]["attended"] == 1


def test_a_late_older_total_never_lowers_the_minutes_and_redelivery_is_harmless(api, agency):
    event = api.make_event()
    person = api.register(agency, event["id"], attendance_mode="online")
    body = presence(person["id"], event["id"], 90)
    deliver(api, body)
    deliver(api, presence(person["id"], event["id"], 30, occurred_at=dt.datetime.now(UTC) - dt.timedelta(hours=1)))
    deliver(api, body)
    [row] = attendance(api, event["id"])["participants"]
    assert row["online_minutes"] == 90 and row["attended"] is True  # minimum 0: in the report is enough


def test_the_report_moves_the_first_join_earlier_but_never_later(api, agency):
    event = api.make_event()
    person = api.register(agency, event["id"], attendance_mode="online")
    join_online(api, person["id"])  # 02:05 UTC
    deliver(api, presence(person["id"], event["id"], 10, first_join_at="2021-12-01T03:00:00+00:00"))
    assert attendance(api, event["id"])["participants"][0]["first_join_at"] == "2021-12-01T02:05:00+00:00"
    deliver(api, presence(person["id"], event["id"], 20, first_join_at="2021-12-01T01:50:00+00:00"))
    assert attendance(api, event["id"])["participants"][0]["first_join_at"] == "2021-12-01T01:50:00+00:00"


def test_presence_for_an_unknown_registration_is_acknowledged_and_changes_nothing(api, event):
    deliver(api, presence(str(uuid.uuid4()), event["id"], 50))
    deliver(api, presence("not-a-uuid", event["id"], 50))
    assert attendance(api, event["id"])["online_report"] is False


def test_certificates_go_to_the_checked_in_and_to_those_online_long_enough(api, agency):
    event = api.make_event(**PAST, min_online_minutes=60)
    door = api.register(agency, event["id"])
    long_enough = api.register(agency, event["id"], attendance_mode="online")
    too_short = api.register(agency, event["id"], attendance_mode="online")
    link_only = api.register(agency, event["id"], attendance_mode="online")
    check_in(api, event["id"], door["id"])
    join_online(api, link_only["id"])
    deliver(api, presence(long_enough["id"], event["id"], 60))
    deliver(api, presence(too_short["id"], event["id"], 59))

    assert issue(api, event["id"]).json == {"issued": 2, "already_issued": 0}
    assert {c["registration_id"] for c in listed(api, event["id"])} == {door["id"], long_enough["id"]}

    # A second report gives the short stayer the rest: the next run issues to them only.
    deliver(api, presence(too_short["id"], event["id"], 75))
    assert issue(api, event["id"]).json == {"issued": 1, "already_issued": 2}


def test_the_csv_and_documents_show_minutes_and_the_organizer(api, agency):
    event = api.make_event(
        organizer={
            "name": "Direktorat Jenderal Informasi dan Komunikasi Publik",
            "unit": "Direktorat Tata Kelola dan Kemitraan Komunikasi Publik",
        },
        min_online_minutes=30,
    )
    person = api.register(agency, event["id"], attendance_mode="online")
    deliver(api, presence(person["id"], event["id"], 42))
    csv_text = api.client.get(f"/v1/events/{event['id']}/attendance?format=csv", headers=api.admin).data.decode("utf-8-sig")
    header, row = csv_text.splitlines()[:2]
    assert "first_join_at" in header and "online_minutes" in header and ",42," in row

    book = openpyxl.load_workbook(io.BytesIO(api.client.get(f"/v1/events/{event['id']}/attendance?format=xlsx", headers=api.admin).data))
    heading = [row[0] for row in book["Ringkasan"].iter_rows(max_row=4, values_only=True)]
    assert heading[0] == "Direktorat Jenderal Informasi dan Komunikasi Publik — Direktorat Tata Kelola dan Kemitraan Komunikasi Publik"
    assert "paling sedikit 30 menit" in heading[3]
    agency_rows = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    assert agency_rows[0][7] == "Menit daring" and agency_rows[1][7] == 42 and agency_rows[1][8] == "ya"

    pdf = api.client.get(f"/v1/events/{event['id']}/attendance?format=pdf", headers=api.admin)
    [page] = pdf_text(pdf.data)
    assert page.index("DIREKTORAT JENDERAL INFORMASI DAN KOMUNIKASI PUBLIK") < page.index("DAFTAR HADIR")
    assert "Direktorat Tata Kelola dan Kemitraan Komunikasi Publik" in page and "(42 mnt)" in page
