"""`python -m services.notification.worker`: migrate, build the channels, then consume, send and remind until SIGTERM."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from services.notification.channels import build_channels
from services.notification.logos import LogoCache
from services.notification.courier import Courier
from services.notification.handlers import HANDLERS
from services.notification.scheduler import ReminderScheduler
from shared.db import make_engine, make_session_factory, migrate
from shared.logs import configure_logging
from shared.messaging.consumer import run_consumer
from shared.settings import Settings, settings_or_exit

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def sender_settings(settings: Settings) -> Settings:
    """At least one handler thread per pooled SMTP connection.

    Sending is waiting on round trips, not CPU: with fewer threads than connections the pool
    could never be used in full (the suite-wide CONSUMER_CONCURRENCY default of 4 suits the other
    consumers, whose handlers are short database transactions).
    """
    return replace(settings, consumer_concurrency=max(settings.consumer_concurrency, settings.smtp_pool_size))


def main() -> None:
    settings = sender_settings(settings_or_exit("notification", require_admin_token=False))
    configure_logging("notification-worker", settings.log_level)
    # Every handler thread and fan-out thread may hold a connection for a short transaction.
    engine = make_engine(settings.database_url, pool_size=settings.consumer_concurrency + settings.smtp_pool_size)
    migrate(engine, MIGRATIONS)
    session_factory = make_session_factory(engine)
    courier = Courier(build_channels(settings), logos=LogoCache(session_factory))
    reminders = ReminderScheduler(session_factory, courier)
    reminders.start()
    try:
        run_consumer("notification", settings, HANDLERS, session_factory, deps=courier)
    finally:
        reminders.stop()
        courier.close()
        engine.dispose()


if __name__ == "__main__":
    main()
