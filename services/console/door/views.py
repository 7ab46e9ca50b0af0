"""The door page's HTTP entry points: sign in with the door link, check in by QR, code or name, undo, count.

Every view reads the request, asks the registration service through DoorClient, turns the answer into
an Outcome and renders it: as HTML for the forms (they work without JavaScript) or as JSON for door.js.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, make_response, redirect, render_template, request, url_for

from services.console.door import outcomes
from services.console.door.client import DoorClient, DoorTokenRefused, RegistrationUnavailable
from services.console.door.links import DoorLink, link_from_parts, read_door_link
from services.console.door.texts import LANGUAGES, texts_for

log = logging.getLogger(__name__)
blueprint = Blueprint("door", __name__, template_folder="../templates")
COOKIE = "rakor_door"
SIGN_IN_CSRF_COOKIE = "rakor_door_signin"
DEFAULT_TIMEZONE = "Asia/Jakarta"


def own_csrf(view):
    """Door views check their own CSRF token (bound to the door session, sent as a form field or, from
    door.js, the X-CSRF-Token header); the console's cookie-bound form check skips views marked so."""
    view.csrf_exempt = True
    return view


def _context():
    return current_app.extensions["rakor_door"]


def _door() -> tuple[str, dict[str, Any]] | None:
    session_id = request.cookies.get(COOKIE)
    data = _context().sessions.load(session_id)
    return (session_id, data) if data else None


def _client(door: dict[str, Any]) -> DoorClient:
    return DoorClient(_context().registration_url, door["event_id"], door["token"])


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _language(door: dict[str, Any] | None = None) -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return (door or {}).get("lang") or request.cookies.get("rakor_lang") or "id"


# --- signing in -------------------------------------------------------------------------------


@blueprint.get("/door/<token>")
def open_link(token: str):
    """The door link itself: verify the token, keep it server side and move it out of the URL at once."""
    link = link_from_parts(token, request.args.get("event", ""), request.args.get("label", ""))
    return _sign_in(link, _language())


@blueprint.post("/door/sign-in")
@own_csrf
def sign_in_form():
    language = _language()
    expected = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, request.form.get("csrf_token", "")):
        return _sign_in_page(language, texts_for(language)["csrf"], status=400)
    link = read_door_link(request.form.get("link", ""))
    if link is None:
        return _sign_in_page(language, texts_for(language)["sign_in_malformed"], status=422, field="link")
    return _sign_in(link, language)


def _sign_in(link: DoorLink | None, language: str) -> Response:
    texts = texts_for(language)
    if link is None:
        return _sign_in_page(language, texts["sign_in_refused"], status=401)
    client = DoorClient(_context().registration_url, link.event_id, link.token)
    try:
        client.summary()
        meeting = client.meeting() or {}
    except DoorTokenRefused:
        log.info("door sign-in refused for meeting %s", link.event_id)
        return _sign_in_page(language, texts["sign_in_refused"], status=401)
    except RegistrationUnavailable:
        return _sign_in_page(language, texts["unavailable"], status=503)
    door = {"event_id": link.event_id, "token": link.token, "label": link.label, "title": meeting.get("title", ""),
            "timezone": meeting.get("timezone") or DEFAULT_TIMEZONE, "csrf": secrets.token_urlsafe(24), "lang": language}
    old = request.cookies.get(COOKIE)
    _context().sessions.end(old)
    response = redirect(url_for("door.page"), code=303)
    response.set_cookie(COOKIE, _context().sessions.create(door), httponly=True, samesite="Strict",
                        secure=request.is_secure, path="/door")
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/door")
    return response


def _sign_in_page(language: str, error: str | None = None, status: int = 200, field: str | None = None) -> Response:
    csrf = request.cookies.get(SIGN_IN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    body = render_template("door_sign_in.html", t=texts_for(language), lang=language, error=error, field=field, csrf=csrf)
    response = make_response(body, status)
    response.set_cookie(SIGN_IN_CSRF_COOKIE, csrf, httponly=True, samesite="Strict", secure=request.is_secure, path="/door")
    return response


@blueprint.post("/door/sign-out")
@own_csrf
def sign_out():
    door = _door()
    if door:
        _require_csrf(door[1])
        _context().sessions.end(door[0])
    response = redirect(url_for("door.page"), code=303)
    response.delete_cookie(COOKIE, path="/door")
    return response


# --- the page ----------------------------------------------------------------------------------


@blueprint.get("/door")
def page():
    door = _door()
    if door is None:
        return _sign_in_page(_language())
    session_id, data = door
    if request.args.get("lang") in LANGUAGES and request.args["lang"] != data.get("lang"):
        data["lang"] = request.args["lang"]
        _context().sessions.update(session_id, data)
    query = request.args.get("q", "").strip()
    try:
        matches = _client(data).lookup(query) if query else None
        return _render_page(data, query=query, matches=matches)
    except DoorTokenRefused:
        return _signed_out(session_id)
    except RegistrationUnavailable:
        return _render_page(data, query=query, notice=texts_for(data["lang"])["unavailable"], status=503)


def _render_page(door: dict[str, Any], *, outcome: outcomes.Outcome | None = None, query: str = "",
                 matches: list | None = None, notice: str | None = None, status: int = 200) -> Response:
    language = door.get("lang", "id")
    counter = None
    try:
        counter = _client(door).summary()
    except RegistrationUnavailable:
        pass
    body = render_template("door.html", t=texts_for(language), lang=language, door=door, outcome=outcome,
                           counter=counter, query=query, matches=matches, notice=notice,
                           mode_name=lambda m: outcomes.mode_name(m, language),
                           when=lambda iso: outcomes.local_time(iso, door["timezone"], language))
    return make_response(body, status)


def _signed_out(session_id: str) -> Response:
    """The token stopped working (revoked, expired): end the session, show the sign-in page with the reason."""
    _context().sessions.end(session_id)
    language = _language()
    if _wants_json():
        response = jsonify({"signed_out": True, "location": url_for("door.page")})
        response.status_code = 401
    else:
        response = _sign_in_page(language, texts_for(language)["sign_in_refused"], status=401)
    response.delete_cookie(COOKIE, path="/door")
    return response


def _require_csrf(door: dict[str, Any]) -> None:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    if not hmac.compare_digest(door["csrf"], sent):
        abort(400)


# --- check-in, undo, counter ---------------------------------------------------------------------


@blueprint.post("/door/check-ins")
@own_csrf
def check_in():
    door = _door()
    if door is None:
        return _signed_out("")
    session_id, data = door
    _require_csrf(data)
    fields = (request.get_json(silent=True) if request.is_json else request.form) or {}
    if not isinstance(fields, dict) and not hasattr(fields, "getlist"):
        fields = {}
    code = str(fields.get("code") or "").strip()
    registration_id = str(fields.get("registration_id") or "").strip()
    if not code and not registration_id:
        return _answer(data, outcomes.refused(None, language=data["lang"]))
    try:
        client = _client(data)
        answer = client.check_in(code=code) if code else client.check_in(registration_id=registration_id)
    except DoorTokenRefused:
        return _signed_out(session_id)
    except RegistrationUnavailable:
        return _unavailable(data)
    if answer.status == 200:
        outcome = outcomes.checked_in(answer.body, timezone=data["timezone"], language=data["lang"])
    else:
        outcome = outcomes.refused(answer.body.get("reason") if answer.status == 409 else None, language=data["lang"])
    return _answer(data, outcome)


@blueprint.post("/door/check-ins/<registration_id>/undo")
@own_csrf
def undo(registration_id: str):
    door = _door()
    if door is None:
        return _signed_out("")
    session_id, data = door
    _require_csrf(data)
    person = (request.get_json(silent=True) or {}).get("person") if request.is_json else request.form.get("person")
    try:
        _client(data).undo(registration_id)
    except DoorTokenRefused:
        return _signed_out(session_id)
    except RegistrationUnavailable:
        return _unavailable(data)
    return _answer(data, outcomes.undone(person if isinstance(person, str) else None, language=data["lang"]))


@blueprint.get("/door/summary")
def summary():
    door = _door()
    if door is None:
        return _signed_out("")
    try:
        counts = _client(door[1]).summary()
    except DoorTokenRefused:
        return _signed_out(door[0])
    except RegistrationUnavailable:
        return jsonify({"retry": True}), 503
    language = door[1]["lang"]
    return jsonify({**counts, "text": texts_for(language)["counter"].format(**counts)})


def _answer(door: dict[str, Any], outcome: outcomes.Outcome) -> Response:
    if _wants_json():
        return jsonify(outcome.as_json())
    return _render_page(door, outcome=outcome)


def _unavailable(door: dict[str, Any]) -> Response:
    # 503 tells door.js to retry the same scan; check-in by code is idempotent, so a retry is safe.
    notice = texts_for(door["lang"])["unavailable"]
    if _wants_json():
        return make_response(jsonify({"retry": True, "notice": notice}), 503)
    return _render_page(door, notice=notice, status=503)
