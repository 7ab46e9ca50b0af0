"""The console's Flask app; gunicorn runs 'services.console.app:create_app()'."""

from __future__ import annotations

import requests
from flask import Flask, g, request

from services.console import views
from services.console.domain import timefmt
from services.console.door import init_door
from services.console.errors import register_error_pages
from services.console.i18n import message_kind, translate
from services.console.security import EXTENSION, ConsoleState, current_session, form_token, register_security
from services.console.sessions import SessionStore
from services.console.settings import ConsoleSettings, console_settings_or_exit
from shared.logs import configure_logging
from shared.web.app_base import register_correlation, register_probes

NOTICES = frozenset(
    {
        "meeting.created",
        "meeting.saved",
        "meeting.cancelled",
        "messages.resent",
        "messages.not_resendable",
        "streaming.saved",
        "doors.revoked",
    }
)

# Every page of the console, one blueprint each; a new page is one more entry here.
BLUEPRINTS = [
    views.auth.blp,
    views.meetings.blp,
    views.agencies.blp,
    views.messages.blp,
    views.ledger.blp,
    views.streaming.blp,
    views.doors.blp,
]


def create_app(settings: ConsoleSettings | None = None) -> Flask:
    """Wire settings, the session store, security headers, error pages, probes and the pages."""
    settings = settings or console_settings_or_exit()
    configure_logging("console", settings.log_level)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(RAKOR_CONSOLE_SETTINGS=settings, MAX_CONTENT_LENGTH=256 * 1024, SECRET_KEY=settings.secret_key)
    http = requests.Session()
    sessions = SessionStore(settings.session_dir, settings.secret_key, settings.session_minutes * 60)
    app.extensions[EXTENSION] = ConsoleState(settings, sessions, http)

    register_correlation(app, "console")
    # Ready when the registration API answers: without it no page but the sign-in can be shown.
    register_probes(app, "console", None, {"registration": lambda: _answers(http, settings.registration_url, settings.http_timeout)})
    register_security(app)
    register_error_pages(app)
    _register_template_helpers(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    init_door(app)
    return app


def _answers(http: requests.Session, base_url: str, timeout: float) -> None:
    http.get(f"{base_url}/healthz", timeout=timeout).raise_for_status()


def _register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _helpers():
        locale = g.get("locale", "id")
        return {
            "_": lambda key, **params: translate(key, locale, **params),
            "locale": locale,
            "csrf_token": form_token,
            "signed_in": current_session() is not None,
            # ?notice=<key> after a redirect ("Perubahan disimpan."): only texts of the catalogue are shown.
            "notice": request.args.get("notice") if request.args.get("notice") in NOTICES else None,
        }

    def _with_locale(function):
        return lambda value, timezone="Asia/Jakarta": function(value, timezone, g.get("locale", "id")) if value else ""

    app.jinja_env.filters["date"] = _with_locale(timefmt.format_date)
    app.jinja_env.filters["time"] = _with_locale(timefmt.format_time)
    app.jinja_env.filters["moment"] = _with_locale(timefmt.format_moment)
    app.jinja_env.filters["message_kind"] = lambda kind: message_kind(kind, g.get("locale", "id"))
    app.jinja_env.globals["span"] = lambda meeting: timefmt.format_span(
        meeting["starts_at"], meeting["ends_at"], meeting["timezone"], g.get("locale", "id")
    )
