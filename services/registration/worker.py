"""`python -m services.registration.worker`: migrate, then consume stream.joined and stream.presence_recorded (and purge expired records) until SIGTERM."""

from __future__ import annotations

from services.registration import MIGRATIONS
from services.registration.handlers import HANDLERS
from services.registration.operations import purge_expired
from shared.db import make_session_factory
from shared.retention import PurgeLoop
from shared.startup import start_worker


def main() -> None:
    """Run the registration consumer."""
    from shared.messaging.consumer import run_consumer

    settings, engine = start_worker("registration", MIGRATIONS)
    sessions = make_session_factory(engine)
    PurgeLoop("registration", lambda: purge_expired(sessions, settings.retention_days)).start()
    run_consumer("registration", settings, HANDLERS, sessions)


if __name__ == "__main__":
    main()
