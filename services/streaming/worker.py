"""`python -m services.streaming.worker`: consume registration and meeting events (who may watch, links)."""

from __future__ import annotations

from services.streaming import MIGRATIONS
from services.streaming.handlers import HANDLERS
from services.streaming.retention import purge_expired
from shared.db import make_session_factory
from shared.retention import PurgeLoop
from shared.startup import start_worker


def main() -> None:
    """Migrate, then handle events until SIGTERM; handlers get the settings (public base URL of links)."""
    from shared.messaging.consumer import run_consumer

    settings, engine = start_worker("streaming", MIGRATIONS)
    sessions = make_session_factory(engine)
    PurgeLoop("streaming", lambda: purge_expired(sessions, settings.retention_days)).start()
    run_consumer("streaming", settings, HANDLERS, sessions, deps=settings)


if __name__ == "__main__":
    main()
