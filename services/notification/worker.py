"""`python -m services.notification.worker`: migrate, build the channels, then consume, send and remind until SIGTERM."""

from __future__ import annotations

from dataclasses import replace

from services.notification import MIGRATIONS
from services.notification.channels import build_channels
from services.notification.courier import Courier
from services.notification.handlers import HANDLERS
from services.notification.logos import LogoCache
from services.notification.retention import purge_expired
from services.notification.scheduler import ReminderScheduler
from shared.db import make_session_factory
from shared.messaging.consumer import run_consumer
from shared.retention import PurgeLoop
from shared.settings import Settings
from shared.startup import start_worker


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
    settings, engine = start_worker(
        "notification",
        MIGRATIONS,
        log_name="notification-worker",
        adjust=sender_settings,
        # Every handler thread and fan-out thread may hold a connection for a short transaction.
        pool_size=lambda s: s.consumer_concurrency + s.smtp_pool_size,
    )
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
