"""create_app(): the notification API; gunicorn runs 'services.notification.app:create_app()'."""

from __future__ import annotations

from flask import Flask

from services.notification import MIGRATIONS
from services.notification.api import blp
from services.notification.channels import Channels, build_channels
from services.notification.courier import Courier
from services.notification.ledger import blp as ledger_blp
from services.notification.logo_api import blp as logo_blp
from services.notification.logos import LogoCache
from services.notification.web import EXTENSION, NotificationAppState, register_domain_errors
from services.notification.webhooks import blp as webhooks_blp
from shared.db import make_session_factory
from shared.settings import Settings, settings_or_exit
from shared.web import create_service_app


def create_app(settings: Settings | None = None, *, channels: Channels | None = None) -> Flask:
    """Settings, logging, database and migrations, the API blueprint, and the broker readiness check."""
    settings = settings or settings_or_exit("notification")
    app, api, engine = create_service_app(
        "notification",
        settings,
        MIGRATIONS,
        title="Rakor notification API",
        description="What participants were sent by email and SMS, every delivery attempt, and re-drives of failed messages.",
        log_name="notification-api",
    )
    session_factory = make_session_factory(engine)
    courier = Courier(channels or build_channels(settings), logos=LogoCache(session_factory))
    app.extensions[EXTENSION] = NotificationAppState(session_factory, courier)
    register_domain_errors(app)
    api.register_blueprint(blp)
    api.register_blueprint(ledger_blp)
    api.register_blueprint(webhooks_blp)
    api.register_blueprint(logo_blp)
    return app
