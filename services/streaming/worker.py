"""`python -m services.streaming.worker`: consume registration and meeting events (who may watch, links)."""
from __future__ import annotations

from services.streaming.app import MIGRATIONS
from services.streaming.handlers import HANDLERS
from shared.db import make_engine, make_session_factory, migrate
from shared.logs import configure_logging
from shared.startup import start_or_exit


def main() -> None:
    """Migrate, then handle events until SIGTERM; handlers get the settings (public base URL of links)."""
    from shared.messaging.consumer import run_consumer

    settings = start_or_exit("streaming", require_admin_token=False)
    configure_logging("streaming", settings.log_level)
    engine = make_engine(settings.database_url)
    migrate(engine, MIGRATIONS)
    run_consumer("streaming", settings, HANDLERS, make_session_factory(engine), deps=settings)


if __name__ == "__main__":
    main()
