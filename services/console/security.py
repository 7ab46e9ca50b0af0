"""Who is signed in, CSRF on every POST, and the security headers of every answer."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import requests
from flask import Flask, Response, current_app, g, redirect, request, url_for
from werkzeug.exceptions import Forbidden

from services.console.clients import Services, services_for
from services.console.domain.csrf import csrf_token, csrf_valid
from services.console.i18n import LOCALE_COOKIE, normalize_locale
from services.console.sessions import Session, SessionStore
from services.console.settings import ConsoleSettings

SESSION_COOKIE = "rakor_console"
# Binds the sign-in form's CSRF token to this browser before there is a session.
VISITOR_COOKIE = "rakor_visitor"
EXTENSION = "rakor_console"

# No inline script or style anywhere: every script and stylesheet is a file the console serves.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass
class ConsoleState:
    """What the console's views share for the life of the process."""

    settings: ConsoleSettings
    sessions: SessionStore
    http: requests.Session


def state() -> ConsoleState:
    return current_app.extensions[EXTENSION]


class CsrfRefused(Forbidden):
    """A POST without this visitor's CSRF token."""


def current_session() -> Session | None:
    return g.get("console_session")


def services() -> Services:
    """The service clients for the signed-in organizer (views behind @signed_in only)."""
    session = current_session()
    assert session is not None, "services() outside a signed-in view"
    return services_for(state().settings, session.token, state().http)


def signed_in(view: Callable) -> Callable:
    """Redirect to the sign-in page unless an organizer is signed in."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_session() is None:
            expired = bool(request.cookies.get(SESSION_COOKIE))
            return redirect(
                url_for(
                    "auth.signin", next=request.full_path.rstrip("?") if request.method == "GET" else None, expired=1 if expired else None
                )
            )
        return view(*args, **kwargs)

    return wrapper


def _secure_cookie() -> bool:
    forced = state().settings.secure_cookies
    return request.is_secure if forced is None else forced


def start_session(response: Response, token: str) -> None:
    """Create the server-side session for `token` and give the browser only its id (a new id at every sign-in)."""
    store = state().sessions
    store.delete(request.cookies.get(SESSION_COOKIE))
    # Sign-ins are rare: a good moment to sweep away sessions that simply ran out.
    store.purge_expired()
    session_id, _session = store.create(token)
    response.set_cookie(
        SESSION_COOKIE, session_id, max_age=int(state().sessions.lifetime), httponly=True, samesite="Lax", secure=_secure_cookie(), path="/"
    )


def end_session(response: Response) -> None:
    state().sessions.delete(request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=_secure_cookie())


def _csrf_binding() -> str | None:
    session = current_session()
    if session is not None:
        return session.csrf_secret
    return request.cookies.get(VISITOR_COOKIE)


def form_token() -> str:
    """The CSRF token for this visitor's forms (a visitor cookie is set on first use when signed out)."""
    binding = _csrf_binding()
    if binding is None:
        binding = g.get("new_visitor") or secrets.token_urlsafe(24)
        g.new_visitor = binding
    return csrf_token(state().settings.secret_key, binding)


def register_security(app: Flask) -> None:
    """Load the session and locale before each request; refuse a POST without CSRF token; set headers after."""

    @app.before_request
    def _load():
        g.locale = normalize_locale(request.cookies.get(LOCALE_COOKIE))
        g.console_session = state().sessions.load(request.cookies.get(SESSION_COOKIE))
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            # Door pages and others that authenticate differently may opt out by endpoint.
            view = app.view_functions.get(request.endpoint or "")
            # An upload page may take more than a form; set before the CSRF check reads the body.
            request.max_content_length = getattr(view, "upload_limit", None) or app.config["MAX_CONTENT_LENGTH"]
            if getattr(view, "csrf_exempt", False):
                return None
            if not csrf_valid(state().settings.secret_key, _csrf_binding(), request.form.get("csrf_token")):
                raise CsrfRefused()
        return None

    @app.after_request
    def _headers(response: Response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype == "text/html":
            # Pages hold personal data: never kept by a shared computer's cache or the back button after sign-out.
            response.headers["Cache-Control"] = "no-store"
        visitor = g.get("new_visitor")
        if visitor:
            response.set_cookie(VISITOR_COOKIE, visitor, httponly=True, samesite="Lax", secure=_secure_cookie(), path="/")
        return response


def accepts_upload(limit_bytes: int) -> Callable[[Callable], Callable]:
    """Let one view take a body up to `limit_bytes` (a file), above the console's small form limit."""

    def mark(view: Callable) -> Callable:
        view.upload_limit = limit_bytes
        return view

    return mark


def csrf_exempt(view: Callable) -> Callable:
    """Mark a view that authenticates every POST by other means (e.g. a bearer token), never by cookie."""
    view.csrf_exempt = True
    return view
