"""The organizer's pages over a real registration API: meetings, edit with its confirm step, agencies, outages."""

from __future__ import annotations

import re
from datetime import datetime

FORM = {
    "title": "Rapat Koordinasi Nasional Kehumasan Pemerintah",
    "theme": "",
    "starts_at": "2031-11-20T09:00",
    "ends_at": "2031-11-20T15:00",
    "timezone": "Asia/Makassar",
    "venue.name": "Four Points by Sheraton Makassar",
    "venue.address": "Jl. Andi Djemma No. 130",
    "venue.city": "Makassar",
    "in_person_capacity": "2",
    "agency_in_person_quota": "",
    "online": "1",
    "health_protocol": "",
    "registration_closes_at": "",
}


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-registration="([^"]+)"', html)


def test_creating_a_meeting_in_the_console_stores_it_in_its_zone(signed_in, registration):
    response = signed_in.post("/meetings/new", FORM, page="/meetings/new", status=302)
    event_id = response.headers["Location"].split("/meetings/")[1].split("?")[0]
    meeting = registration.call("GET", f"/v1/events/{event_id}", 200)
    assert meeting["timezone"] == "Asia/Makassar" and meeting["in_person_capacity"] == 2
    assert datetime.fromisoformat(meeting["starts_at"]) == datetime.fromisoformat("2031-11-20T09:00:00+08:00")
    page = signed_in.get(response.headers["Location"])
    assert "Rapat dibuat." in page.text
    assert "Kamis, 20 November 2031, 09.00–15.00 WITA" in page.text


def test_a_bad_meeting_form_names_each_field_and_creates_nothing(signed_in, registration):
    before = len(registration.call("GET", "/v1/events", 200))
    response = signed_in.post(
        "/meetings/new", {**FORM, "title": "", "starts_at": "besok", "in_person_capacity": "-3"}, page="/meetings/new", status=422
    )
    assert 'href="#title"' in response.text and 'href="#starts_at"' in response.text
    assert "Isi tanggal dan jam yang benar." in response.text
    assert len(registration.call("GET", "/v1/events", 200)) == before


def test_the_api_refusal_is_shown_beside_the_field(signed_in):
    response = signed_in.post("/meetings/new", {**FORM, "in_person_capacity": "-3"}, page="/meetings/new", status=422)
    assert 'href="#in_person_capacity"' in response.text
    assert "Traceback" not in response.text and '{"errors"' not in response.text


def test_meeting_page_shows_seats_waitlist_and_filters(signed_in, registration):
    meeting = registration.make_meeting(in_person_capacity=2)
    kominfo = registration.make_agency("Biro Humas Kementerian Komunikasi dan Informatika")
    jabar = registration.make_agency("Dinas Komunikasi dan Informatika Provinsi Jawa Barat", "province")
    dewi = registration.register(kominfo, meeting["id"], full_name="Dewi Anggraini")
    budi = registration.register(jabar, meeting["id"], full_name="Budi Santoso")
    siti = registration.register(jabar, meeting["id"], full_name="Siti Rahmawati")
    rina = registration.register(kominfo, meeting["id"], full_name="Rina Wulandari", attendance_mode="online")
    assert siti["status"] == "waitlisted"
    page = signed_in.get(f"/meetings/{meeting['id']}").text
    assert "2 dari 2 kursi terisi, 1 daftar tunggu" in page
    assert rows(page) == [dewi["id"], budi["id"], siti["id"], rina["id"]]
    assert rows(signed_in.get(f"/meetings/{meeting['id']}?agency={jabar['id']}").text) == [budi["id"], siti["id"]]
    assert rows(signed_in.get(f"/meetings/{meeting['id']}?status=waitlisted").text) == [siti["id"]]
    assert rows(signed_in.get(f"/meetings/{meeting['id']}?mode=online").text) == [rina["id"]]
    assert rows(signed_in.get(f"/meetings/{meeting['id']}?q=rina+wulandari").text) == [rina["id"]]
    assert 'class="chart"' in page and "Dinas Komunikasi dan Informatika Provinsi Jawa Barat" in page


def test_moving_a_meeting_first_says_how_many_will_be_told_then_saves_on_confirm(signed_in, registration):
    meeting = registration.make_meeting(in_person_capacity=1)
    agency = registration.make_agency()
    for _ in range(3):
        registration.register(agency, meeting["id"])
    cancelled = registration.register(agency, meeting["id"], attendance_mode="online")
    registration.call("DELETE", f"/v1/registrations/{cancelled['id']}", 200, {"Authorization": f"Bearer {agency['api_key']}"})
    values = dict(re.findall(r'name="([\w.]+)" type="[\w-]+" value="([^"]*)"', signed_in.get(f"/meetings/{meeting['id']}/edit").text))
    form = {
        **{k: v for k, v in values.items() if k != "csrf_token"},
        "timezone": "Asia/Jakarta",
        "online": "1",
        "health_protocol": meeting["health_protocol"],
        "theme": meeting["theme"],
        "starts_at": "2031-12-01T10:00",
    }
    confirm = signed_in.post(f"/meetings/{meeting['id']}/edit", form, status=200)
    assert "Perubahan waktu atau tempat ini akan dikirim ke 3 peserta melalui surel dan SMS." in confirm.text
    assert registration.call("GET", f"/v1/events/{meeting['id']}", 200)["starts_at"] == meeting["starts_at"]  # nothing saved yet
    saved = signed_in.post(f"/meetings/{meeting['id']}/edit", {**form, "confirmed": "1"}, status=302)
    assert "notice=meeting.saved" in saved.headers["Location"]
    moved = registration.call("GET", f"/v1/events/{meeting['id']}", 200)["starts_at"]
    assert datetime.fromisoformat(moved) == datetime.fromisoformat("2031-12-01T10:00:00+07:00")


def test_a_change_that_reaches_nobody_saves_without_a_confirm_step(signed_in, registration):
    meeting = registration.make_meeting()
    values = dict(re.findall(r'name="([\w.]+)" type="[\w-]+" value="([^"]*)"', signed_in.get(f"/meetings/{meeting['id']}/edit").text))
    form = {
        **{k: v for k, v in values.items() if k != "csrf_token"},
        "timezone": "Asia/Jakarta",
        "online": "1",
        "health_protocol": meeting["health_protocol"],
        "theme": meeting["theme"],
        "title": "Rapat Koordinasi Pranata Humas Tahun 2031",
    }
    signed_in.post(f"/meetings/{meeting['id']}/edit", form, status=302)
    assert registration.call("GET", f"/v1/events/{meeting['id']}", 200)["title"] == "Rapat Koordinasi Pranata Humas Tahun 2031"


def test_a_new_agencys_key_is_shown_once_and_works(signed_in, registration):
    body = {"name": "Dinas Komunikasi dan Informatika Provinsi Bali", "kind": "province", "contact_email": "diskominfo@baliprov.go.id"}
    created = signed_in.post("/agencies", body, page="/agencies", status=201)
    key = re.search(r'data-testid="api-key">([^<]+)<', created.text).group(1)
    meeting = registration.make_meeting()
    registration.call(
        "POST",
        f"/v1/events/{meeting['id']}/registrations",
        201,
        {"Authorization": f"Bearer {key}"},
        json={"full_name": "Made Wirawan", "email": "made.wirawan@baliprov.go.id", "attendance_mode": "online"},
    )
    assert key not in signed_in.get("/agencies").text


def test_a_refused_agency_form_keeps_what_was_typed(signed_in):
    response = signed_in.post(
        "/agencies",
        {"name": "Dinas Kominfo Kabupaten Sleman", "kind": "regency", "contact_email": "bukan-surel"},
        page="/agencies",
        status=422,
    )
    assert 'href="#contact_email"' in response.text and 'value="Dinas Kominfo Kabupaten Sleman"' in response.text


def test_when_notification_is_down_the_messages_page_says_so_in_plain_words(signed_in, registration):
    meeting = registration.make_meeting()
    response = signed_in.get(f"/meetings/{meeting['id']}/messages", status=503)
    assert "Layanan notifikasi sedang tidak dapat dihubungi; data pendaftaran tetap aman. Coba lagi." in response.text
    assert "Traceback" not in response.text and "ConnectionError" not in response.text and "127.0.0.1" not in response.text


def test_when_registration_is_down_even_sign_in_says_so(console_factory):
    from tests.integration.console.conftest import closed_port_url

    console = console_factory(REGISTRATION_URL=closed_port_url())
    response = console.sign_in()
    assert response.status_code == 503
    assert "Layanan pendaftaran sedang tidak dapat dihubungi. Coba lagi." in response.text


def test_attendance_csv_is_passed_through(signed_in, registration):
    meeting = registration.make_meeting()
    registration.register(registration.make_agency(), meeting["id"], full_name="Yuliani Puspita")
    response = signed_in.get(f"/meetings/{meeting['id']}/attendance.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert "Yuliani Puspita" in response.get_data(as_text=True)


def test_unknown_meeting_is_a_plain_not_found_page(signed_in):
    response = signed_in.get("/meetings/tidak-ada", status=404)
    assert "tidak ditemukan" in response.text


def test_cancelling_first_says_how_many_will_be_told_and_needs_a_reason(signed_in, registration):
    meeting = registration.make_meeting()
    agency = registration.make_agency()
    for _ in range(2):
        registration.register(agency, meeting["id"])
    page = signed_in.get(f"/meetings/{meeting['id']}/cancel").text
    assert "Pembatalan ini akan dikirim ke 2 peserta melalui surel dan SMS." in page
    refused = signed_in.post(f"/meetings/{meeting['id']}/cancel", {"reason": " "}, status=422)
    assert 'href="#reason"' in refused.text
    assert registration.call("GET", f"/v1/events/{meeting['id']}", 200).get("status", "scheduled") == "scheduled"


def test_cancelling_where_the_registration_api_cannot_yet_says_so(signed_in, registration):
    meeting = registration.make_meeting()
    response = signed_in.post(
        f"/meetings/{meeting['id']}/cancel",
        {"reason": "Narasumber utama berhalangan hadir."},
        page=f"/meetings/{meeting['id']}/cancel",
        status=None,
    )
    if response.status_code == 302:  # the registration API already offers POST /v1/events/{id}/cancel
        assert registration.call("GET", f"/v1/events/{meeting['id']}", 200)["status"] == "cancelled"
    else:
        assert response.status_code == 501
        assert "Pembatalan rapat belum tersedia di layanan pendaftaran." in response.text
