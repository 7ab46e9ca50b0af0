"""`python -m services.registration.worker`: migrate, then consume stream.joined until SIGTERM."""
from __future__ import annotations

from services.registration.app import MIGRATIONS
from services.registration.handlers import HANDLERS
from shared import db
from shared.logs import configure_logging
from shared.startup import start_or_exit


def main() -> None:
    """Run the registration consumer."""
    from shared.messaging.consumer import run_consumer

    settings = start_or_exit("registration", require_admin_token=False)
    configure_logging("registration", settings.log_level)
    engine = db.make_engine(settings.database_url)
    db.migrate(engine, MIGRATIONS)
    run_consumer("registration", settings, HANDLERS, db.make_session_factory(engine))


if __name__ == "__main__":
    main()
