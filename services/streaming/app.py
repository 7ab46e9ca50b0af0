"""The streaming service's Flask app; gunicorn runs 'services.streaming.app:create_app()'."""

from __future__ import annotations

from flask import Flask

from services.streaming import MIGRATIONS
from services.streaming.api import EXTENSION, StreamingState, admin, join
from services.streaming.api.errors import register_domain_errors
from services.streaming.join_path import JoinPath
from shared.db import make_session_factory
from shared.settings import Settings, settings_or_exit
from shared.web import create_service_app, rate_limiter


def create_app(settings: Settings | None = None) -> Flask:
    """Wire settings, database (migrated to head), blueprints and the broker readiness check."""
    settings = settings or settings_or_exit("streaming")
    app, api, engine = create_service_app(
        "streaming",
        settings,
        MIGRATIONS,
        title="Rakor streaming",
        description="Zoom and YouTube channels of each meeting, personal join links and online joins.",
    )
    app.extensions[EXTENSION] = StreamingState(
        make_session_factory(engine),
        JoinPath(
            engine,
            statement_timeout=settings.db_statement_timeout,
            lock_timeout=settings.db_lock_timeout,
            transaction_pooler=settings.db_pooler == "transaction",
        ),
        rate_limiter(settings, settings.join_rate_limit, "join-failures"),
    )
    register_domain_errors(app)
    api.register_blueprint(admin.blp)
    api.register_blueprint(join.blp)
    return app
