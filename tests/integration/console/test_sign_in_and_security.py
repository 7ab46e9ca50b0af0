"""Sign-in keeps the admin token on the server; CSRF, CSP and cookies protect the pages; sessions end."""

from __future__ import annotations

import re

from services.console.security import CONTENT_SECURITY_POLICY, EXTENSION, SESSION_COOKIE
from tests.integration.console.conftest import ADMIN_TOKEN


def test_signing_in_with_the_admin_token_opens_the_meetings_page(signed_in, registration):
    meeting = registration.make_meeting(title="Rapat Koordinasi Kehumasan Pemerintah Daerah")
    page = signed_in.get("/meetings")
    assert "Rapat Koordinasi Kehumasan Pemerintah Daerah" in page.text
    assert f"/meetings/{meeting['id']}" in page.text


def test_a_wrong_token_is_refused_beside_the_field_and_starts_no_session(console):
    response = console.post("/signin", {"token": "bukan-token-yang-benar-sama-sekali"}, page="/signin", status=401)
    assert "Token admin tidak dikenal." in response.text
    assert 'href="#token"' in response.text  # the error summary links to the field
    assert SESSION_COOKIE not in response.headers.get("Set-Cookie", "")
    assert console.get("/meetings", status=302).headers["Location"].startswith("/signin")


def test_the_session_cookie_is_httponly_samesite_lax_and_holds_no_token(console):
    response = console.sign_in()
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ADMIN_TOKEN not in cookie
    assert "Secure" not in cookie  # plain http in this test; https requests get Secure


def test_over_https_the_session_cookie_is_secure(console):
    console.get("/signin", base_url="https://konsol.rakor.go.id")
    response = console.client.post(
        "/signin", data={"token": ADMIN_TOKEN, "csrf_token": console.csrf()}, base_url="https://konsol.rakor.go.id"
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "Secure" in cookie


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(signed_in, registration):
    before = len(registration.call("GET", "/v1/agencies", 200))
    body = {"name": "Dinas Kominfo Provinsi Bali", "kind": "province", "contact_email": "diskominfo@baliprov.go.id"}
    missing = signed_in.client.post("/agencies", data=body)
    wrong = signed_in.client.post("/agencies", data={**body, "csrf_token": "0" * 64})
    assert missing.status_code == wrong.status_code == 403
    assert "Formulir ini sudah kedaluwarsa" in missing.text
    assert len(registration.call("GET", "/v1/agencies", 200)) == before


def test_the_sign_in_form_needs_its_csrf_token_too(console):
    console.get("/signin")
    response = console.client.post("/signin", data={"token": ADMIN_TOKEN})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("Set-Cookie", "")


def test_every_answer_carries_the_content_security_policy_and_frame_headers(signed_in):
    for path in ("/signin", "/meetings", "/agencies", "/static/console.css", "/nope"):
        response = signed_in.get(path, status=None)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_pages_have_no_inline_script_or_style(signed_in, registration):
    meeting = registration.make_meeting()
    for path in ("/meetings", "/meetings/new", f"/meetings/{meeting['id']}", f"/meetings/{meeting['id']}/edit", "/agencies"):
        html = signed_in.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "<style" not in html and " style=" not in html and "onclick" not in html, path


def test_signing_out_ends_the_session_on_the_server(signed_in):
    cookie = signed_in.client.get_cookie(SESSION_COOKIE).value
    response = signed_in.post("/signout", status=302, page="/meetings")
    assert response.headers["Location"].startswith("/signin")
    assert signed_in.get("/meetings", status=302).headers["Location"].startswith("/signin")
    # The old cookie, replayed, opens nothing: the session is gone from the store.
    signed_in.client.set_cookie(SESSION_COOKIE, cookie)
    assert signed_in.get("/meetings", status=302).headers["Location"].startswith("/signin")
    assert "Anda telah keluar." in signed_in.get("/signin?signed_out=1").text


def test_an_expired_session_sends_the_organizer_back_to_sign_in(signed_in):
    store = signed_in.app.extensions[EXTENSION].sessions
    start = store.clock()
    store.clock = lambda: start + store.lifetime + 1
    response = signed_in.get("/meetings", status=302)
    assert "expired=1" in response.headers["Location"]
    assert "Sesi Anda telah berakhir" in signed_in.get(response.headers["Location"]).text


def test_the_admin_token_never_appears_in_any_page(signed_in, registration):
    meeting = registration.make_meeting()
    agency = registration.make_agency("Dinas Komunikasi dan Informatika Kota Bandung", "city")
    registration.register(agency, meeting["id"])
    paths = [
        "/signin",
        "/meetings",
        "/meetings/new",
        f"/meetings/{meeting['id']}",
        f"/meetings/{meeting['id']}/edit",
        "/agencies",
        f"/meetings/{meeting['id']}/messages",
        f"/meetings/{meeting['id']}/streaming",
        f"/meetings/{meeting['id']}/doors",
    ]
    for path in paths:
        response = signed_in.get(path, status=None)
        assert ADMIN_TOKEN not in response.text, path
        assert ADMIN_TOKEN not in str(response.headers), path


def test_sign_in_redirects_only_to_a_page_of_the_console(console):
    response = console.post("/signin", {"token": ADMIN_TOKEN, "next": "https://contoh.example/phish"}, page="/signin", status=302)
    assert response.headers["Location"] == "/meetings"
    console.post("/signout", page="/meetings")
    response = console.post("/signin", {"token": ADMIN_TOKEN, "next": "/agencies"}, page="/signin", status=302)
    assert response.headers["Location"] == "/agencies"


def test_english_is_a_cookie_choice(console):
    console.get("/signin")
    response = console.post("/language", {"locale": "en", "next": "/signin"}, status=302)
    assert response.headers["Location"] == "/signin"
    assert "Sign in as organizer" in console.get("/signin").text
    assert '<html lang="en">' in console.last_html


def test_probes_answer_without_a_session(console, registration):
    assert console.get("/healthz").json == {"status": "ok", "service": "console"}
    ready = console.get("/readyz")
    assert ready.json["checks"] == {"registration": "ok"}
    assert b"rakor_http_requests_total" in console.get("/metrics").data


def test_not_ready_while_registration_is_down(console_factory):
    from tests.integration.console.conftest import closed_port_url

    console = console_factory(REGISTRATION_URL=closed_port_url())
    assert console.get("/readyz", status=503).json["status"] == "not ready"


def test_signing_in_again_replaces_the_session(signed_in):
    first = signed_in.client.get_cookie(SESSION_COOKIE).value
    signed_in.post("/signin", {"token": ADMIN_TOKEN}, page="/meetings", status=302)
    second = signed_in.client.get_cookie(SESSION_COOKIE).value
    assert first != second
    signed_in.client.set_cookie(SESSION_COOKIE, first)
    assert signed_in.get("/meetings", status=302).headers["Location"].startswith("/signin")
