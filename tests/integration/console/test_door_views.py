"""The door page's HTTP side through Flask's test client against a real registration API: the door link
signs in, scans answer green/amber/red as JSON for door.js and as pages for the forms, undo, search,
CSRF, a revoked token and an unreachable registration service. (Camera and browser:
tests/e2e/console/test_door_page.py.)"""

from __future__ import annotations

import gzip
import re

import pytest

from services.console.door import door_link
from services.console.door.views import COOKIE
from tests.integration.console.conftest import closed_port_url

META_CSRF = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


@pytest.fixture
def meeting(registration):
    """A meeting with Rina confirmed in person, Budi cancelled, Hendra online, and a door token 'Pintu 1'."""
    meeting = registration.make_meeting(in_person_capacity=10)
    agency = registration.make_agency("Dinas Komunikasi dan Informatika Provinsi Jawa Barat", "province")
    people = {
        "rina": registration.register(
            agency, meeting["id"], full_name="Rina Wulandari", email="rina.wulandari@jabarprov.go.id", attendance_mode="in_person"
        ),
        "budi": registration.register(
            agency, meeting["id"], full_name="Budi Santoso", email="budi.santoso@jabarprov.go.id", attendance_mode="in_person"
        ),
        "hendra": registration.register(
            agency, meeting["id"], full_name="Hendra Gunawan", email="hendra.gunawan@jabarprov.go.id", attendance_mode="online"
        ),
    }
    registration.call("DELETE", f"/v1/registrations/{people['budi']['id']}", 200, {"Authorization": f"Bearer {agency['api_key']}"})
    token = registration.call("POST", f"/v1/events/{meeting['id']}/door-tokens", 201, json={"label": "Pintu 1"})
    return {
        "id": meeting["id"],
        "title": meeting["title"],
        "people": people,
        "token": token,
        "link": door_link("http://localhost", meeting["id"], token["token"], "Pintu 1", meeting["title"]),
    }


def at_the_door(console, meeting) -> str:
    """Open the door link; return the door page's CSRF token (from its meta tag)."""
    response = console.get(meeting["link"].removeprefix("http://localhost"), status=303)
    assert response.headers["Location"] == "/door"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/door" in cookie
    page = console.get("/door").text
    return META_CSRF.search(page).group(1)


def scan(console, csrf: str, **body):
    return console.client.post("/door/check-ins", json=body, headers={"X-CSRF-Token": csrf})


def test_door_link_signs_in_and_the_page_never_shows_the_token(console, meeting):
    at_the_door(console, meeting)
    page = console.get("/door").text
    assert "Pintu 1" in page and "Hadir 0 / 1" in page
    # The header names the meeting (from the link: a door token may not read the meeting itself).
    header = re.search(r'<h1 data-testid="door-title">(.*?)</h1>', page).group(1)
    assert re.sub(r"<[^>]+>", "", header) == f"{meeting['title']}, Pintu 1"
    assert meeting["token"]["token"] not in page
    assert "script-src 'self'" in console.client.get("/door").headers["Content-Security-Policy"]


def test_scans_answer_green_then_amber_and_red_with_the_reason(console, meeting):
    csrf = at_the_door(console, meeting)
    rina, budi, hendra = (meeting["people"][name] for name in ("rina", "budi", "hendra"))
    first = scan(console, csrf, code=rina["check_in_code"].lower())
    assert first.status_code == 200
    assert first.get_json() | {"undo_id": None} == {
        "colour": "green",
        "headline": "Berhasil check-in",
        "signal": "ok",
        "undo_id": None,
        "lines": ["Rina Wulandari", "Dinas Komunikasi dan Informatika Provinsi Jawa Barat", "tatap muka"],
        "person": "Rina Wulandari",
    }
    assert first.get_json()["undo_id"] == rina["id"]
    again = scan(console, csrf, code=rina["check_in_code"]).get_json()
    assert again["colour"] == "amber" and re.fullmatch(r"Sudah check-in pukul \d\d\.\d\d WIB", again["headline"])
    assert scan(console, csrf, code=budi["check_in_code"]).get_json()["headline"] == "Pendaftaran dibatalkan"
    assert scan(console, csrf, registration_id=hendra["id"]).get_json()["headline"] == "Peserta daring"
    assert scan(console, csrf, code="ZZZZ9999").get_json() == {
        "colour": "red",
        "headline": "Kode tidak dikenal",
        "lines": [],
        "undo_id": None,
        "person": None,
        "signal": "refused",
    }
    assert console.client.get("/door/summary").get_json() == {"checked_in": 1, "confirmed_in_person": 1, "text": "Hadir 1 / 1"}


def test_undo_takes_the_check_in_back(console, meeting, registration):
    csrf = at_the_door(console, meeting)
    rina = meeting["people"]["rina"]
    scan(console, csrf, code=rina["check_in_code"])
    undone = console.client.post(f"/door/check-ins/{rina['id']}/undo", json={"person": "Rina Wulandari"}, headers={"X-CSRF-Token": csrf})
    assert undone.get_json()["headline"] == "Check-in dibatalkan"
    assert registration.call("GET", f"/v1/events/{meeting['id']}/check-ins/summary", 200) == {"checked_in": 0, "confirmed_in_person": 1}
    twice = console.client.post(f"/door/check-ins/{rina['id']}/undo", json={"person": "Rina Wulandari"}, headers={"X-CSRF-Token": csrf})
    assert twice.get_json()["headline"] == "Check-in dibatalkan"  # already not checked in: the undo holds
    unknown = console.client.post("/door/check-ins/5f0c6f3e-0000-4000-8000-00000000dead/undo", json={}, headers={"X-CSRF-Token": csrf})
    assert unknown.get_json()["colour"] == "red"


def test_forms_work_without_javascript(console, meeting):
    csrf = at_the_door(console, meeting)
    found = console.get("/door?q=Wulandari").text
    assert "Rina Wulandari" in found and "Budi" not in found
    page = console.client.post("/door/check-ins", data={"csrf_token": csrf, "registration_id": meeting["people"]["rina"]["id"]})
    assert page.status_code == 200 and 'class="result green"' in page.text and "Hadir 1 / 1" in page.text


def test_door_posts_need_the_door_sessions_csrf_token(console, meeting):
    at_the_door(console, meeting)
    code = meeting["people"]["rina"]["check_in_code"]
    assert console.client.post("/door/check-ins", json={"code": code}).status_code == 403
    assert console.client.post("/door/check-ins", json={"code": code}, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert console.client.get("/door/summary").get_json()["checked_in"] == 0


def test_a_revoked_token_ends_the_door_session(console, meeting, registration):
    csrf = at_the_door(console, meeting)
    registration.call("DELETE", f"/v1/door-tokens/{meeting['token']['id']}", 204)
    refused = scan(console, csrf, code=meeting["people"]["rina"]["check_in_code"])
    assert refused.status_code == 401 and refused.get_json() == {"signed_out": True, "location": "/door"}
    page = console.get("/door").text
    assert "Masuk sebagai petugas pintu" in page and "Hadir" not in page
    again = console.get(meeting["link"].removeprefix("http://localhost"), status=401).text
    assert "tidak berlaku" in again and meeting["token"]["token"] not in again


def test_a_pasted_link_that_is_not_a_door_link_is_named_beside_its_field(console):
    response = console.post("/door/sign-in", {"link": "sembarang teks"}, page="/door", status=422)
    assert 'href="#link"' in response.text and 'aria-invalid="true"' in response.text


def test_an_unreachable_registration_service_says_so_and_the_page_retries(console_factory, meeting, caplog):
    console = console_factory()
    csrf = at_the_door(console, meeting)
    down = console_factory(REGISTRATION_URL=closed_port_url())
    down.client.set_cookie(COOKIE, console.client.get_cookie(COOKIE, path="/door").value, path="/door")
    answer = down.client.post("/door/check-ins", json={"code": "ABCD2345"}, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 503 and answer.get_json()["retry"] is True
    page = down.get(meeting["link"].removeprefix("http://localhost"), status=503).text
    assert "Layanan pendaftaran sedang tidak dapat dihubungi" in page
    assert meeting["token"]["token"] not in page and meeting["token"]["token"] not in caplog.text


@pytest.mark.parametrize("name", ["door.js", "door.css", "vendor/jsQR.js"])
def test_assets_are_served_gzip_compressed_to_browsers_that_accept_it(console, name):
    packed = console.client.get(f"/door/assets/{name}", headers={"Accept-Encoding": "gzip, deflate, br"})
    plain = console.client.get(f"/door/assets/{name}", headers={"Accept-Encoding": "identity"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2


def test_only_the_doors_own_assets_are_served(console):
    assert console.client.get("/door/assets/vendor/jsQR.LICENSE").status_code == 404
    assert console.client.get("/door/assets/../door/views.py").status_code == 404


def test_after_a_revoke_the_next_page_is_the_sign_in_page_not_the_door(console, meeting, registration):
    at_the_door(console, meeting)
    registration.call("DELETE", f"/v1/door-tokens/{meeting['token']['id']}", 204)
    page = console.get("/door", status=401).text
    assert "Masuk sebagai petugas pintu" in page and "tidak berlaku" in page and "Hadir" not in page


def test_the_console_language_switch_turns_the_door_into_english(console, meeting):
    csrf = at_the_door(console, meeting)
    switched = console.post("/language", {"locale": "en", "next": "/door"}, page="/door", status=302)
    assert switched.headers["Location"] == "/door"
    assert "Present 0 / 1" in console.get("/door").text
    answer = scan(console, csrf, code=meeting["people"]["budi"]["check_in_code"]).get_json()
    assert answer["headline"] == "Registration cancelled"
