"""Agency keys rotated and revoked from the console; door links created (link and QR), listed and revoked."""

from __future__ import annotations

import base64
import html
import re
import time

import requests

from services.console.door.links import read_door_link
from tests.integration.console.conftest import ADMIN_TOKEN


def agency_key_works(registration, key: str) -> bool:
    return requests.get(f"{registration.url}/v1/events", headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 200


def key_stops_working(registration, key: str, within: float = 3.0) -> bool:
    """The API may answer from its key cache for up to a second after a revocation (SPEC: 'within a second')."""
    deadline = time.monotonic() + within
    while agency_key_works(registration, key):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_rotating_a_key_shows_the_new_one_once_and_the_old_one_stops(signed_in, registration):
    agency = registration.make_agency("Dinas Komunikasi dan Informatika Kabupaten Sleman", "regency")
    page = signed_in.post(f"/agencies/{agency['id']}/rotate", page="/agencies", status=201)
    new_key = re.search(r'data-testid="api-key">([^<]+)<', page.text).group(1)
    assert "Kunci API untuk Dinas Komunikasi dan Informatika Kabupaten Sleman" in page.text
    assert agency_key_works(registration, new_key) and key_stops_working(registration, agency["api_key"])
    assert new_key not in signed_in.get("/agencies").text


def test_revoking_asks_first_then_every_key_stops(signed_in, registration):
    agency = registration.make_agency("Biro Humas Pemerintah Provinsi Jawa Timur", "province")
    confirm = signed_in.get(f"/agencies/{agency['id']}/revoke")
    assert "Cabut semua kunci Biro Humas Pemerintah Provinsi Jawa Timur?" in confirm.text
    assert agency_key_works(registration, agency["api_key"])  # asking changed nothing
    done = signed_in.post(f"/agencies/{agency['id']}/revoke", status=302)
    assert key_stops_working(registration, agency["api_key"])
    assert "Semua kunci Biro Humas Pemerintah Provinsi Jawa Timur telah dicabut." in signed_in.get(done.headers["Location"]).text


def test_an_unknown_agency_cannot_be_rotated(signed_in):
    signed_in.get("/agencies")
    assert signed_in.post("/agencies/tidak-ada/rotate").status_code == 404


def test_a_door_link_is_shown_once_as_link_and_qr_and_opens_the_door_endpoints(signed_in, registration):
    meeting = registration.make_meeting()
    page = signed_in.post(
        f"/meetings/{meeting['id']}/doors", {"label": "Pintu 1 — Lobi Utama"}, page=f"/meetings/{meeting['id']}/doors", status=201
    )
    link = html.unescape(re.search(r'<a class="secret" href="([^"]+)"', page.text).group(1))
    # The door link names its meeting and door (services.console.door.door_link): the phone needs both.
    door = read_door_link(link)
    assert link.startswith("http://localhost/door/") and (door.event_id, door.label) == (meeting["id"], "Pintu 1 — Lobi Utama")
    token = door.token
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', page.text).group(1))
    assert png.startswith(b"\x89PNG")
    summary = requests.get(
        f"{registration.url}/v1/events/{meeting['id']}/check-ins/summary", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert summary.status_code == 200
    listing = signed_in.get(f"/meetings/{meeting['id']}/doors").text
    assert "Pintu 1 — Lobi Utama" in listing and token not in listing and "Aktif" in listing


def test_revoking_a_door_link_stops_it(signed_in, registration):
    meeting = registration.make_meeting()
    created = registration.call("POST", f"/v1/events/{meeting['id']}/door-tokens", 201, json={"label": "Pintu 2"})
    signed_in.get(f"/meetings/{meeting['id']}/doors")
    signed_in.post(f"/meetings/{meeting['id']}/doors/{created['id']}/revoke", status=302)
    summary = requests.get(
        f"{registration.url}/v1/events/{meeting['id']}/check-ins/summary",
        headers={"Authorization": f"Bearer {created['token']}"},
        timeout=10,
    )
    assert summary.status_code in (401, 403)
    assert "Tidak aktif" in signed_in.get(f"/meetings/{meeting['id']}/doors").text


def test_a_door_link_without_a_label_is_refused_beside_the_field(signed_in, registration):
    meeting = registration.make_meeting()
    page = signed_in.post(f"/meetings/{meeting['id']}/doors", {"label": ""}, page=f"/meetings/{meeting['id']}/doors", status=422)
    assert 'href="#label"' in page.text
    assert registration.call("GET", f"/v1/events/{meeting['id']}/door-tokens", 200) in ([], {"items": []})
    assert ADMIN_TOKEN not in page.text
