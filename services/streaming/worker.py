"""`python -m services.streaming.worker`: consume registration and meeting events (who may watch, links)."""
from __future__ import annotations

from services.streaming.app import MIGRATIONS
from services.streaming.handlers import HANDLERS
from services.streaming.retention import purge_expired
from shared.db import make_service_engine, make_session_factory, migrate_at_start
from shared.logs import configure_logging
from shared.retention import PurgeLoop
from shared.startup import start_or_exit


def main() -> None:
    """Migrate, then handle events until SIGTERM; handlers get the settings (public base URL of links)."""
    from shared.messaging.consumer import run_consumer

    settings = start_or_exit("streaming", require_admin_token=False)
    configure_logging("streaming", settings.log_level, settings.log_format)
    engine = make_service_engine(settings)
    migrate_at_start(engine, MIGRATIONS, settings)
    sessions = make_session_factory(engine)
    PurgeLoop("streaming", lambda: purge_expired(sessions, settings.retention_days)).start()
    run_consumer("streaming", settings, HANDLERS, sessions, deps=settings)


if __name__ == "__main__":
    main()
