"""Sign in with the admin token, sign out, and the language switch."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from services.console.clients import Forbidden, NotSignedIn, RegistrationClient
from services.console.i18n import LOCALE_COOKIE, normalize_locale, translate
from services.console.security import current_session, end_session, signed_in, start_session, state

blp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this console ('/…', not '//host' or a full URL): the sign-in never redirects elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


@blp.get("/")
def home():
    return redirect(url_for("meetings.index"))


@blp.get("/signin")
def signin():
    if current_session() is not None:
        return redirect(url_for("meetings.index"))
    notice = None
    if request.args.get("expired"):
        notice = "signin.expired"
    elif request.args.get("signed_out"):
        notice = "signin.signed_out"
    return render_template("signin.html", errors={}, notice=notice, next=request.args.get("next", ""))


@blp.post("/signin")
def signin_submit():
    token = request.form.get("token", "").strip()
    target = safe_next(request.form.get("next"), url_for("meetings.index"))
    if not token:
        return _refused("signin.missing", target)
    settings = state().settings
    try:
        RegistrationClient(settings.registration_url, token, timeout=settings.http_timeout, http=state().http).check_admin()
    except (NotSignedIn, Forbidden):
        return _refused("signin.wrong", target)
    response = redirect(target)
    start_session(response, token)
    return response


def _refused(message_key: str, target: str):
    errors = {"token": [translate(message_key, g.locale)]}
    return render_template("signin.html", errors=errors, notice=None, next=target), 401


@blp.post("/signout")
@signed_in
def signout():
    response = redirect(url_for("auth.signin", signed_out=1))
    end_session(response)
    return response


@blp.post("/language")
def language():
    response = redirect(safe_next(request.form.get("next"), url_for("meetings.index")))
    chosen = normalize_locale(request.form.get("locale"))
    response.set_cookie(LOCALE_COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True, samesite="Lax", path="/")
    return response
