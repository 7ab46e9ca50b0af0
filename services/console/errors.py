"""Every failure as a page people understand: which service cannot be reached, what to do — never a trace or raw JSON."""

from __future__ import annotations

import logging

from flask import Flask, redirect, render_template, url_for
from werkzeug.exceptions import HTTPException

from services.console import clients
from services.console.i18n import translate
from services.console.security import CsrfRefused, end_session

log = logging.getLogger(__name__)


def error_page(message_key: str, status: int, *, retry: bool = False):
    from flask import g

    message = translate(message_key, g.get("locale", "id"))
    return render_template("error.html", message=message, retry=retry), status


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(clients.ServiceUnavailable)
    def _down(error: clients.ServiceUnavailable):
        log.warning("%s service unavailable (status %s)", error.service, error.status)
        page, status = error_page(f"error.down.{error.service}", 503, retry=True)
        return page, status, {"Retry-After": "5"}

    @app.errorhandler(clients.NotSignedIn)
    def _token_refused(_error: clients.NotSignedIn):
        # The token behind the session stopped working (changed on the server): the session is worthless.
        response = redirect(url_for("auth.signin", expired=1))
        end_session(response)
        return response

    @app.errorhandler(clients.NotFound)
    def _not_found(_error):
        return error_page("error.not_found", 404)

    @app.errorhandler(clients.Forbidden)
    def _forbidden(_error):
        return error_page("error.forbidden", 403)

    @app.errorhandler(CsrfRefused)
    def _csrf(_error):
        return error_page("error.csrf", 403)

    @app.errorhandler(clients.ServiceError)
    def _other(error: clients.ServiceError):
        log.warning("%s service answered %s", error.service, error.status)
        return error_page("error.unexpected", 502, retry=True)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        key = {404: "error.not_found", 403: "error.forbidden", 405: "error.not_found"}.get(error.code or 500, "error.unexpected")
        return error_page(key, error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(_error: Exception):
        log.exception("unhandled error")
        return error_page("error.unexpected", 500, retry=True)
