"""create_app(): wiring of the registration API (settings, database, migrations, blueprints, errors)."""

from __future__ import annotations

from flask import Flask

from services.registration import MIGRATIONS
from services.registration.api import register_blueprints
from services.registration.api.context import EXTENSION, RegistrationContext
from services.registration.api.errors import register_domain_errors
from shared import db
from shared.settings import Settings, settings_or_exit
from shared.web import create_service_app, rate_limiter

DESCRIPTION = (
    "Meetings, agencies and registrations of hybrid coordination meetings: in-person seats with a "
    "waitlist, online attendance, check-in at the door and attendance reports. The organizer uses the "
    "admin token; each agency its own API key and sees only its own registrations."
)


def create_app(settings: Settings | None = None) -> Flask:
    """The registration API; refuses to start without RAKOR_ADMIN_TOKEN (settings_or_exit)."""
    settings = settings or settings_or_exit("registration")
    app, api, engine = create_service_app("registration", settings, MIGRATIONS, title="Rakor registration", description=DESCRIPTION)
    app.extensions[EXTENSION] = RegistrationContext(
        session_factory=db.make_session_factory(engine),
        rate_limiter=rate_limiter(settings, settings.agency_rate_limit, "agency"),
    )
    app.extensions["rakor_engine"] = engine
    register_domain_errors(app)
    register_blueprints(api)
    return app
