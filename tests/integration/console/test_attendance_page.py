"""Minimum online minutes on the meeting form, and the attendance tab, over a real registration API."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest

from services.registration.handlers import HANDLERS
from shared import db
from shared.messaging.handling import ACK, process_message
from tests.integration.console.test_pages import FORM

UTC = dt.UTC


def deliver(registration, event_type: str, data: dict) -> None:
    """What registration's queue consumer does with a streaming event, on the API's own database."""
    body = json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": event_type,
            "version": 1,
            "occurred_at": dt.datetime.now(UTC).isoformat(),
            "producer": "streaming",
            "correlation_id": None,
            "data": data,
        }
    ).encode()
    engine = db.make_engine(registration.database_url)
    try:
        outcome = process_message(body, attempt=1, handlers=HANDLERS, session_factory=db.make_session_factory(engine))
    finally:
        engine.dispose()
    assert outcome.action == ACK, outcome


def joined(registration, event_id: str, registration_id: str) -> None:
    deliver(
        registration,
        "stream.joined",
        {"registration_id": registration_id, "event_id": event_id, "at": "2031-12-01T02:05:00+00:00", "channel_kind": "zoom"},
    )


def in_report(registration, event_id: str, registration_id: str, minutes: int) -> None:
    deliver(
        registration,
        "stream.presence_recorded",
        {
            "registration_id": registration_id,
            "event_id": event_id,
            "minutes": minutes,
            "source": "zoom_csv",
            "first_join_at": "2031-12-01T01:58:00+00:00",
        },
    )


def check_in(registration, event_id: str, registration_id: str) -> None:
    registration.call("POST", f"/v1/events/{event_id}/check-ins", 200, json={"registration_id": registration_id})


def row(html: str, registration_id: str) -> str:
    return re.search(rf'<tr data-registration="{registration_id}">(.*?)</tr>', html, re.S).group(1)


def cell(html: str, registration_id: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</td>', row(html, registration_id), re.S).group(1)
    return re.sub(r"<[^>]+>", "", found).strip()


def edit_form(signed_in, meeting: dict) -> dict:
    values = dict(re.findall(r'name="([\w.]+)" type="[\w-]+" value="([^"]*)"', signed_in.get(f"/meetings/{meeting['id']}/edit").text))
    return {
        **{k: v for k, v in values.items() if k != "csrf_token"},
        "timezone": meeting["timezone"],
        "online": "1",
        "health_protocol": meeting["health_protocol"],
        "theme": meeting["theme"],
    }


# ----- the form -----------------------------------------------------------------------------------
def test_a_new_meeting_takes_the_minimum_and_its_edit_form_shows_it(signed_in, registration):
    form = signed_in.get("/meetings/new").text
    assert 'id="min_online_minutes"' in form and "Minimal menit daring" in form and "laporan peserta Zoom diunggah" in form
    created = signed_in.post("/meetings/new", {**FORM, "min_online_minutes": "60"}, status=302)
    event_id = created.headers["Location"].split("/meetings/")[1].split("?")[0]
    assert registration.call("GET", f"/v1/events/{event_id}", 200)["min_online_minutes"] == 60
    assert 'name="min_online_minutes" type="number" value="60"' in signed_in.get(f"/meetings/{event_id}/edit").text
    blank = signed_in.post("/meetings/new", FORM, page="/meetings/new", status=302)
    assert (
        registration.call("GET", blank.headers["Location"].split("?")[0].replace("/meetings/", "/v1/events/"), 200)["min_online_minutes"]
        == 0
    )


def test_changing_only_the_minimum_saves_without_telling_anyone(signed_in, registration):
    meeting = registration.make_meeting(min_online_minutes=30)
    registration.register(registration.make_agency(), meeting["id"])
    saved = signed_in.post(f"/meetings/{meeting['id']}/edit", {**edit_form(signed_in, meeting), "min_online_minutes": "90"}, status=302)
    assert "notice=meeting.saved" in saved.headers["Location"]  # no confirm step: nobody is mailed about this
    assert registration.call("GET", f"/v1/events/{meeting['id']}", 200)["min_online_minutes"] == 90


@pytest.mark.parametrize("value", ["-1", "10001"])
def test_a_minimum_the_api_refuses_is_shown_beside_the_field_and_nothing_is_saved(signed_in, registration, value):
    meeting = registration.make_meeting(min_online_minutes=30)
    refused = signed_in.post(f"/meetings/{meeting['id']}/edit", {**edit_form(signed_in, meeting), "min_online_minutes": value}, status=422)
    assert 'href="#min_online_minutes"' in refused.text and 'id="min_online_minutes-error"' in refused.text
    assert f'name="min_online_minutes" type="number" value="{value}"' in refused.text  # what was typed stays
    assert "Traceback" not in refused.text and '{"errors"' not in refused.text
    assert registration.call("GET", f"/v1/events/{meeting['id']}", 200)["min_online_minutes"] == 30


def test_a_minimum_that_is_no_number_is_named_before_the_api_is_asked(signed_in):
    refused = signed_in.post("/meetings/new", {**FORM, "min_online_minutes": "satu jam"}, page="/meetings/new", status=422)
    assert 'href="#min_online_minutes"' in refused.text and "Isi bilangan bulat." in refused.text


# ----- the attendance tab -------------------------------------------------------------------------
def test_before_a_report_the_tab_counts_check_ins_and_personal_link_joins(signed_in, registration):
    meeting = registration.make_meeting(min_online_minutes=60, in_person_capacity=5)
    kominfo = registration.make_agency("Biro Humas Kementerian Komunikasi dan Informatika")
    jabar = registration.make_agency("Dinas Komunikasi dan Informatika Provinsi Jawa Barat", "province")
    dewi = registration.register(kominfo, meeting["id"], full_name="Dewi Anggraini")
    budi = registration.register(jabar, meeting["id"], full_name="Budi Santoso")
    rina = registration.register(jabar, meeting["id"], full_name="Rina Wulandari", attendance_mode="online")
    check_in(registration, meeting["id"], dewi["id"])
    joined(registration, meeting["id"], rina["id"])

    page = signed_in.get(f"/meetings/{meeting['id']}/attendance").text
    assert 'aria-current="page">Kehadiran</a>' in page
    assert "2 dari 3 peserta terkonfirmasi hadir." in page
    assert "Belum ada laporan peserta Zoom: peserta daring dihitung hadir bila telah membuka tautan pribadinya." in page
    assert "sedikitnya 60 menit" in page
    assert cell(page, dewi["id"], "attended") == "Ya" and cell(page, dewi["id"], "checked-in-at") != "—"
    assert cell(page, budi["id"], "attended") == "Tidak" and cell(page, budi["id"], "checked-in-at") == "—"
    assert cell(page, rina["id"], "attended") == "Ya" and cell(page, rina["id"], "online-minutes") == "—"
    agencies = re.search(r'data-testid="attendance-agencies">(.*?)</table>', page, re.S).group(1)
    jabar_row = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", re.search(rf'<tr data-agency="{jabar["id"]}">(.*?)</tr>', agencies, re.S).group(1))
    ).strip()
    assert jabar_row == "Dinas Komunikasi dan Informatika Provinsi Jawa Barat 2 0 1 1"  # confirmed, checked in, joined online, attended
    one_agency = signed_in.get(f"/meetings/{meeting['id']}/attendance?agency={jabar['id']}").text
    assert re.findall(r'<tr data-registration="([^"]+)"', one_agency) == [budi["id"], rina["id"]]


def test_with_a_zoom_report_online_attendance_is_judged_by_the_minimum(signed_in, registration):
    meeting = registration.make_meeting(min_online_minutes=60)
    agency = registration.make_agency()
    stayed = registration.register(agency, meeting["id"], full_name="Siti Rahmawati", attendance_mode="online")
    left_early = registration.register(agency, meeting["id"], full_name="Agus Setiawan", attendance_mode="online")
    link_only = registration.register(agency, meeting["id"], full_name="Hendra Gunawan", attendance_mode="online")
    joined(registration, meeting["id"], link_only["id"])  # opened the link, but the report does not have him
    in_report(registration, meeting["id"], stayed["id"], 95)
    in_report(registration, meeting["id"], left_early["id"], 20)

    page = signed_in.get(f"/meetings/{meeting['id']}/attendance").text
    assert "Kehadiran daring dinilai dari laporan peserta Zoom: peserta daring hadir bila tercantum di laporan sedikitnya 60 menit." in page
    assert "1 dari 3 peserta terkonfirmasi hadir." in page
    assert (cell(page, stayed["id"], "online-minutes"), cell(page, stayed["id"], "attended")) == ("95", "Ya")
    assert (cell(page, left_early["id"], "online-minutes"), cell(page, left_early["id"], "attended")) == ("20", "Tidak")
    assert (cell(page, link_only["id"], "online-minutes"), cell(page, link_only["id"], "attended")) == ("—", "Tidak")
    signed_in.client.set_cookie("rakor_lang", "en")
    english = signed_in.get(f"/meetings/{meeting['id']}/attendance").text
    assert "1 of 3 confirmed participants attended." in english and "at least 60 minutes" in english


@pytest.mark.parametrize(
    ("fmt", "media", "magic"),
    [
        ("csv", "text/csv", b"\xef\xbb\xbf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
    ],
)
def test_the_attendance_downloads_are_passed_through(signed_in, registration, fmt, media, magic):
    meeting = registration.make_meeting()
    registration.register(registration.make_agency(), meeting["id"], full_name="Yuliani Puspita")
    page = signed_in.get(f"/meetings/{meeting['id']}/attendance").text
    assert f'href="/meetings/{meeting["id"]}/attendance.{fmt}"' in page
    response = signed_in.get(f"/meetings/{meeting['id']}/attendance.{fmt}")
    assert (
        response.mimetype == media
        and response.headers["Content-Disposition"] == f'attachment; filename="daftar-hadir-{meeting["id"]}.{fmt}"'
    )
    assert response.data.startswith(magic)


def test_an_unknown_format_or_meeting_is_not_found(signed_in, registration):
    meeting = registration.make_meeting()
    signed_in.get(f"/meetings/{meeting['id']}/attendance.docx", status=404)
    assert "tidak ditemukan" in signed_in.get("/meetings/tidak-ada/attendance", status=404).text
