"""`python -m services.registration.worker`: migrate, then consume stream.joined and stream.presence_recorded (and purge expired records) until SIGTERM."""
from __future__ import annotations

from services.registration.app import MIGRATIONS
from services.registration.handlers import HANDLERS
from services.registration.operations import purge_expired
from shared import db
from shared.logs import configure_logging
from shared.retention import PurgeLoop
from shared.startup import start_or_exit


def main() -> None:
    """Run the registration consumer."""
    from shared.messaging.consumer import run_consumer

    settings = start_or_exit("registration", require_admin_token=False)
    configure_logging("registration", settings.log_level, settings.log_format)
    engine = db.make_service_engine(settings)
    db.migrate_at_start(engine, MIGRATIONS, settings)
    sessions = db.make_session_factory(engine)
    PurgeLoop("registration", lambda: purge_expired(sessions, settings.retention_days)).start()
    run_consumer("registration", settings, HANDLERS, sessions)


if __name__ == "__main__":
    main()
