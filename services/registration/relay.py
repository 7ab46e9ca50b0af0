"""`python -m services.registration.relay`: migrate, then publish the outbox to the bus until SIGTERM."""
from __future__ import annotations

from services.registration.app import MIGRATIONS
from shared import db
from shared.logs import configure_logging
from shared.messaging.relay import run_relay
from shared.startup import start_or_exit


def main() -> None:
    """Run the registration outbox relay."""
    settings = start_or_exit("registration", require_admin_token=False)
    configure_logging("registration", settings.log_level, settings.log_format)
    engine = db.make_service_engine(settings)
    db.migrate_at_start(engine, MIGRATIONS, settings)
    run_relay("registration", settings, engine)


if __name__ == "__main__":
    main()
