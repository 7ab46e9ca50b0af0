"""`python -m services.streaming.relay`: publish the outbox (link issued/revoked, joins) to the bus."""
from __future__ import annotations

from services.streaming.app import MIGRATIONS
from shared.db import make_service_engine, migrate_at_start
from shared.logs import configure_logging
from shared.startup import start_or_exit


def main() -> None:
    """Migrate, then relay outbox rows with publisher confirms until SIGTERM."""
    from shared.messaging.relay import run_relay

    settings = start_or_exit("streaming", require_admin_token=False)
    configure_logging("streaming", settings.log_level, settings.log_format)
    engine = make_service_engine(settings)
    migrate_at_start(engine, MIGRATIONS, settings)
    run_relay("streaming", settings, engine)


if __name__ == "__main__":
    main()
