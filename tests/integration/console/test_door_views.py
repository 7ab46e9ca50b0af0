"""The door page's HTTP side through Flask's test client: sign-in, CSRF, an unreachable registration service,
compressed assets and security headers. (The page against the real registration service and a real
browser is tests/e2e/console/test_door_page.py.)"""
from __future__ import annotations

import gzip
import socket

import pytest

from services.console.door.standalone import create_app
from services.console.door.views import COOKIE, SIGN_IN_CSRF_COOKIE

TOKEN = "dt_Zx9-kQ2_abcdefghijklmnopqrstuv"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app(tmp_path):
    return create_app({"REGISTRATION_URL": f"http://127.0.0.1:{closed_port()}", "DATA_DIR": str(tmp_path), "LOG_LEVEL": "INFO"})


@pytest.fixture
def client(app):
    return app.test_client()


def signed_in(app, client, **overrides) -> dict:
    """A door session as the door link leaves it (stored directly: the registration service is unreachable here)."""
    door = {"event_id": "5f0c6f3e-aaaa-4000-8000-000000000001", "token": TOKEN, "label": "Pintu 1", "title": "",
            "timezone": "Asia/Jakarta", "csrf": "csrf-of-this-door-session", "lang": "id", **overrides}
    client.set_cookie(COOKIE, app.extensions["rakor_door"].sessions.create(door), path="/door")
    return door


def test_without_a_session_the_door_shows_the_sign_in_form_with_a_csrf_token(client):
    response = client.get("/door")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Masuk sebagai petugas pintu" in page and 'name="csrf_token"' in page and 'id="counter"' not in page
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{SIGN_IN_CSRF_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_a_malformed_door_link_gets_the_sign_in_page_and_no_data(client):
    response = client.get("/door/short?event=1")
    assert response.status_code == 401
    assert "tidak berlaku" in response.get_data(as_text=True)
    assert not any(cookie.startswith(f"{COOKIE}=") for cookie in response.headers.getlist("Set-Cookie"))


def test_an_unreachable_registration_service_says_so_and_never_echoes_the_token(client, caplog):
    response = client.get(f"/door/{TOKEN}?event=5f0c6f3e-aaaa-4000-8000-000000000001&label=Pintu+1")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Layanan pendaftaran sedang tidak dapat dihubungi" in page
    assert TOKEN not in page and TOKEN not in caplog.text


def test_sign_in_form_refuses_a_post_without_its_csrf_token(client):
    assert client.post("/door/sign-in", data={"link": f"http://x/door/{TOKEN}?event=1"}).status_code == 400


def test_sign_in_form_names_the_field_when_the_link_is_not_a_door_link(client):
    csrf = client.get("/door").headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    response = client.post("/door/sign-in", data={"link": "sembarang teks", "csrf_token": csrf})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#link"' in page and 'aria-invalid="true"' in page


def test_check_in_needs_the_door_sessions_csrf_token(app, client):
    signed_in(app, client)
    assert client.post("/door/check-ins", json={"code": "ABCD2345"}).status_code == 400
    assert client.post("/door/check-ins", json={"code": "ABCD2345"}, headers={"X-CSRF-Token": "another"}).status_code == 400


def test_a_scan_while_registration_is_unreachable_answers_503_retry_so_the_page_sends_it_again(app, client):
    door = signed_in(app, client)
    response = client.post("/door/check-ins", json={"code": "ABCD2345"}, headers={"X-CSRF-Token": door["csrf"]})
    assert response.status_code == 503 and response.get_json()["retry"] is True
    form = client.post("/door/check-ins", data={"code": "ABCD2345", "csrf_token": door["csrf"]})
    assert form.status_code == 503 and "tidak dapat dihubungi" in form.get_data(as_text=True)


def test_json_calls_without_a_session_tell_the_page_to_sign_in_again(client):
    response = client.get("/door/summary", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.get_json() == {"signed_out": True, "location": "/door"}


def test_door_page_forbids_inline_scripts_and_keeps_links_out_of_referers(app, client):
    signed_in(app, client)
    response = client.get("/door")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert '<meta name="csrf-token" content="csrf-of-this-door-session">' in page
    assert TOKEN not in page and "<script>" not in page


@pytest.mark.parametrize("name", ["door.js", "door.css", "vendor/jsQR.js"])
def test_assets_are_served_gzip_compressed_to_browsers_that_accept_it(client, name):
    packed = client.get(f"/door/assets/{name}", headers={"Accept-Encoding": "gzip, deflate, br"})
    plain = client.get(f"/door/assets/{name}", headers={"Accept-Encoding": "identity"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2


def test_only_the_doors_own_assets_are_served(client):
    assert client.get("/door/assets/../door/views.py").status_code == 404
    assert client.get("/door/assets/vendor/jsQR.LICENSE").status_code == 404
