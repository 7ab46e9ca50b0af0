"""`python -m services.notification.worker`: migrate, build the channels, then consume, send and remind until SIGTERM."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from services.notification.channels import build_channels
from services.notification.logos import LogoCache
from services.notification.courier import Courier
from services.notification.handlers import HANDLERS
from services.notification.retention import purge_expired
from services.notification.scheduler import ReminderScheduler
from shared.db import make_service_engine, make_session_factory, migrate_at_start
from shared.logs import configure_logging
from shared.retention import PurgeLoop
from shared.messaging.consumer import run_consumer
from shared.settings import Settings
from shared.startup import start_or_exit

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def sender_settings(settings: Settings) -> Settings:
    """At least one handler thread per pooled SMTP connection, and WHATSAPP_CONCURRENCY of them with WhatsApp on.

    Sending is waiting on round trips, not CPU: with fewer threads than connections the pool
    could never be used in full (the suite-wide CONSUMER_CONCURRENCY default of 4 suits the other
    consumers, whose handlers are short database transactions). A Cloud API call takes ~100 ms or
    more, so eight threads would cap a worker near 80 messages a second.
    """
    threads = max(settings.consumer_concurrency, settings.smtp_pool_size)
    if settings.whatsapp_provider:
        threads = max(threads, settings.whatsapp_concurrency)
    return replace(settings, consumer_concurrency=threads, consumer_prefetch=max(settings.consumer_prefetch, threads))


def main() -> None:
    settings = sender_settings(start_or_exit("notification", require_admin_token=False))
    configure_logging("notification-worker", settings.log_level, settings.log_format)
    # Every handler thread and fan-out thread may hold a connection for a short transaction.
    engine = make_service_engine(settings, pool_size=settings.consumer_concurrency + settings.smtp_pool_size)
    migrate_at_start(engine, MIGRATIONS, settings)
    sessions = make_session_factory(engine)
    courier = Courier(build_channels(settings), logos=LogoCache(sessions))
    PurgeLoop("notification", lambda: purge_expired(sessions, settings.retention_days)).start()
    reminders = ReminderScheduler(sessions, courier, digest_minutes=settings.agency_digest_minutes)
    reminders.start()
    try:
        run_consumer("notification", settings, HANDLERS, sessions, deps=courier)
    finally:
        reminders.stop()
        courier.close()
        engine.dispose()


if __name__ == "__main__":
    main()
