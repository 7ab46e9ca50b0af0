"""The door page's HTTP entry points: sign in with the door link, check in by QR, code or name, undo, count.

Every view reads the request, asks the registration service through DoorClient, turns the answer into
an Outcome and renders it: as HTML for the forms (they work without JavaScript) or as JSON for door.js.
The door session is the console's server-side session under its own cookie, holding the door token
(sealed) and the meeting it opens; door staff never hold an organizer's session.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, g, jsonify, make_response, redirect, render_template, request, url_for

from services.console.clients import Forbidden, NotSignedIn, ServiceUnavailable
from services.console.domain.csrf import csrf_token, csrf_valid
from services.console.door import outcomes
from services.console.door.client import DoorClient
from services.console.door.links import DoorLink, link_from_parts, read_door_link
from services.console.i18n import translate
from services.console.security import CsrfRefused, _secure_cookie, csrf_exempt, state
from services.console.sessions import Session

log = logging.getLogger(__name__)
blueprint = Blueprint("door", __name__)
COOKIE = "rakor_door"
DEFAULT_TIMEZONE = "Asia/Jakarta"
TOKEN_REFUSED = (NotSignedIn, Forbidden)


def _door() -> tuple[str, Session] | None:
    session_id = request.cookies.get(COOKIE)
    session = state().sessions.load(session_id)
    return (session_id, session) if session and session.details.get("event_id") else None


def _client(door: Session) -> DoorClient:
    settings = state().settings
    return DoorClient(settings.registration_url, door.details["event_id"], door.token, timeout=settings.http_timeout, http=state().http)


def _text(key: str, **params: Any) -> str:
    return translate(f"door.{key}", g.get("locale", "id"), **params)


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


# --- signing in -------------------------------------------------------------------------------


@blueprint.get("/door/<token>")
def open_link(token: str):
    """The door link itself: verify the token, keep it server side and move it out of the URL at once."""
    args = request.args
    return _sign_in(link_from_parts(token, args.get("event", ""), args.get("label", ""), args.get("title", "")))


@blueprint.post("/door/sign-in")
def sign_in_form():
    """The door link pasted by hand (the console's CSRF check has run: this form is not exempt)."""
    link = read_door_link(request.form.get("link", ""))
    if link is None:
        return _sign_in_page(_text("sign_in_malformed"), status=422, field="link")
    return _sign_in(link)


def _sign_in(link: DoorLink | None) -> Response:
    if link is None:
        return _sign_in_page(_text("sign_in_refused"), status=401)
    settings = state().settings
    client = DoorClient(settings.registration_url, link.event_id, link.token, timeout=settings.http_timeout, http=state().http)
    try:
        client.summary()
    except TOKEN_REFUSED:
        log.info("door sign-in refused for meeting %s", link.event_id)
        return _sign_in_page(_text("sign_in_refused"), status=401)
    except ServiceUnavailable:
        return _sign_in_page(_text("unavailable"), status=503)
    state().sessions.delete(request.cookies.get(COOKIE))
    session_id, _session = state().sessions.create(
        link.token, {"event_id": link.event_id, "label": link.label, "title": link.title, "timezone": DEFAULT_TIMEZONE}
    )
    # 303 to /door: the token leaves the address bar and the history; the cookie holds only the session id.
    response = redirect(url_for("door.page"), code=303)
    response.set_cookie(
        COOKIE, session_id, max_age=int(state().sessions.lifetime), httponly=True, samesite="Strict", secure=_secure_cookie(), path="/door"
    )
    return response


def _sign_in_page(error: str | None = None, status: int = 200, field: str | None = None) -> Response:
    return make_response(render_template("door_sign_in.html", error=error, field=field), status)


@blueprint.post("/door/sign-out")
@csrf_exempt
def sign_out():
    door = _door()
    if door:
        _require_csrf(door[1])
        state().sessions.delete(door[0])
    response = redirect(url_for("door.page"), code=303)
    response.delete_cookie(COOKIE, path="/door")
    return response


# --- the page ----------------------------------------------------------------------------------


@blueprint.get("/door")
def page():
    door = _door()
    if door is None:
        return _sign_in_page()
    session_id, session = door
    query = request.args.get("q", "").strip()
    client = _client(session)
    try:
        # The counter asks first: a revoked or expired token shows the sign-in page, not an empty door.
        counter = client.summary()
        matches = client.lookup(query) if query else None
    except TOKEN_REFUSED:
        return _signed_out(session_id)
    except ServiceUnavailable:
        return _render_page(session, query=query, notice=_text("unavailable"), status=503, counter=None)
    return _render_page(session, query=query, matches=matches, counter=counter)


_ASK = object()


def _render_page(
    door: Session,
    *,
    outcome: outcomes.Outcome | None = None,
    query: str = "",
    matches: list | None = None,
    notice: str | None = None,
    status: int = 200,
    counter: Any = _ASK,
) -> Response:
    locale = g.get("locale", "id")
    if counter is _ASK:
        try:
            counter = _client(door).summary()
        except (ServiceUnavailable, *TOKEN_REFUSED):
            counter = None  # the page still shows the answer; the next poll of door.js tells the rest
    body = render_template(
        "door.html",
        door=door.details,
        door_csrf=csrf_token(state().settings.secret_key, door.csrf_secret),
        outcome=outcome,
        counter=counter,
        query=query,
        matches=matches,
        notice=notice,
        mode_name=lambda mode: outcomes.mode_name(mode, locale),
        status_name=lambda status: outcomes.status_name(status, locale),
    )
    return make_response(body, status)


def _signed_out(session_id: str | None) -> Response:
    """The token stopped working (revoked, expired): end the session, show the sign-in page with the reason."""
    state().sessions.delete(session_id)
    if _wants_json():
        response = make_response(jsonify({"signed_out": True, "location": url_for("door.page")}), 401)
    else:
        response = _sign_in_page(_text("sign_in_refused"), status=401)
    response.delete_cookie(COOKIE, path="/door")
    return response


def _require_csrf(door: Session) -> None:
    """Door POSTs carry the door session's token (form field, or X-CSRF-Token from door.js)."""
    given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
    if not csrf_valid(state().settings.secret_key, door.csrf_secret, given):
        raise CsrfRefused()


# --- check-in, undo, counter ---------------------------------------------------------------------


@blueprint.post("/door/check-ins")
@csrf_exempt
def check_in():
    door = _door()
    if door is None:
        return _signed_out(None)
    session_id, session = door
    _require_csrf(session)
    fields = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(fields, "get"):
        fields = {}
    code, registration_id = (str(fields.get(name) or "").strip() for name in ("code", "registration_id"))
    locale = g.get("locale", "id")
    if not code and not registration_id:
        return _answer(session, outcomes.refused(None, locale=locale))
    try:
        answer = _client(session).check_in(code=code or None, registration_id=registration_id or None)
    except TOKEN_REFUSED:
        return _signed_out(session_id)
    except ServiceUnavailable:
        return _unavailable(session)
    if answer.person is not None:
        return _answer(session, outcomes.checked_in(answer.person, timezone=session.details["timezone"], locale=locale))
    return _answer(session, outcomes.refused(answer.reason, locale=locale))


@blueprint.post("/door/check-ins/<registration_id>/undo")
@csrf_exempt
def undo(registration_id: str):
    door = _door()
    if door is None:
        return _signed_out(None)
    session_id, session = door
    _require_csrf(session)
    fields = request.get_json(silent=True) if request.is_json else request.form
    person = fields.get("person") if hasattr(fields, "get") else None
    try:
        known = _client(session).undo(registration_id)
    except TOKEN_REFUSED:
        return _signed_out(session_id)
    except ServiceUnavailable:
        return _unavailable(session)
    locale = g.get("locale", "id")
    if not known:
        return _answer(session, outcomes.refused(None, locale=locale))
    return _answer(session, outcomes.undone(person if isinstance(person, str) else None, locale=locale))


@blueprint.get("/door/summary")
def summary():
    door = _door()
    if door is None:
        return _signed_out(None)
    try:
        counts = _client(door[1]).summary()
    except TOKEN_REFUSED:
        return _signed_out(door[0])
    except ServiceUnavailable:
        return make_response(jsonify({"retry": True}), 503)
    return jsonify({**counts, "text": _text("counter", **counts)})


def _answer(door: Session, outcome: outcomes.Outcome) -> Response:
    if _wants_json():
        return jsonify(outcome.as_json())
    return _render_page(door, outcome=outcome)


def _unavailable(door: Session) -> Response:
    # 503 tells door.js to send the same scan again; check-in by code is idempotent, so a retry is safe.
    if _wants_json():
        return make_response(jsonify({"retry": True, "notice": _text("unavailable")}), 503)
    return _render_page(door, notice=_text("unavailable"), status=503)
