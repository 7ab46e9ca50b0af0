"""The channels a notification goes out on, built once from the settings by the worker and the API."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Protocol

from services.notification.channels.email_senders import FileSender, SmtpSender
from services.notification.channels.sms_senders import HttpSmsSender, LogSmsSender, TwilioSmsSender
from services.notification.channels.smtp_pool import SmtpPool
from services.notification.channels.whatsapp_cloud import WhatsAppCloudSender
from services.notification.domain.bus_trust import LinkRules
from services.notification.domain.sms_text import SmsText
from services.notification.domain.whatsapp import Template, parse_templates


class EmailSender(Protocol):
    def send(self, message, to_address: str) -> str: ...
    def close(self) -> None: ...


class SmsSender(Protocol):
    def send(self, to: str, text: SmsText, reference: str) -> str: ...
    def close(self) -> None: ...


@dataclass
class Channels:
    """Email and SMS senders plus what sending needs to know: the From address and the retry budget."""

    email: EmailSender
    sms: SmsSender
    sender: str = "Rakor <no-reply@rakor.local>"
    retry_delays: tuple[float, ...] = (5, 30, 120, 600, 3600)
    # Threads that send the messages of one fan-out (event.updated to a whole meeting) side by side.
    fanout_workers: int = 8
    # How long a claimed notification stays reserved for the sender that claimed it.
    lease_seconds: float = 120.0
    # Where links in messages may point; a bus event with any other link is refused (domain/bus_trust.py).
    link_rules: LinkRules = field(default_factory=lambda: LinkRules("http://localhost:8003", ("zoom.us", "youtube.com", "youtu.be")))
    # The organizer of meetings that name none (ORGANIZER_NAME / ORGANIZER_UNIT).
    organizer: dict = field(default_factory=lambda: {"name": "Rakor", "unit": None})
    # None: WHATSAPP_PROVIDER unset, so a WhatsApp notification fails for good with that reason.
    whatsapp: WhatsAppCloudSender | None = None
    # kind -> locale -> pre-approved template (WHATSAPP_TEMPLATES)
    whatsapp_templates: dict[str, dict[str, Template]] = field(default_factory=dict)
    # A WhatsApp message of a meeting with sms_fallback not delivered this long after it was planned gets its SMS.
    whatsapp_fallback_minutes: float = 15.0

    def close(self) -> None:
        self.email.close()
        self.sms.close()
        if self.whatsapp is not None:
            self.whatsapp.close()


def build_email_sender(settings, ssl_context: ssl.SSLContext | None = None) -> EmailSender:
    """SMTP through a connection pool when SMTP_HOST is set, else .eml files under DATA_DIR/mail."""
    if not settings.smtp_host:
        return FileSender(settings.mail_dir)
    pool = SmtpPool(
        settings.smtp_host,
        settings.smtp_port,
        size=settings.smtp_pool_size,
        timeout=settings.smtp_timeout,
        tls=settings.smtp_tls,
        username=settings.smtp_username,
        password=settings.smtp_password,
        ssl_context=ssl_context,
    )
    return SmtpSender(pool, settings.smtp_from)


def build_sms_sender(settings) -> SmsSender:
    """The SMS provider SMS_PROVIDER names: http (generic JSON gateway), twilio, or log (default)."""
    pool_size = max(settings.consumer_concurrency, settings.smtp_pool_size)
    if settings.sms_provider == "http":
        return HttpSmsSender(settings.sms_gateway_url, settings.sms_api_key, timeout=settings.sms_timeout, pool_size=pool_size)
    if settings.sms_provider == "twilio":
        return TwilioSmsSender(
            settings.twilio_base_url,
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from,
            timeout=settings.sms_timeout,
            pool_size=pool_size,
        )
    return LogSmsSender(settings.sms_log_path)


def build_whatsapp_sender(settings) -> WhatsAppCloudSender | None:
    """The Cloud API sender when WHATSAPP_PROVIDER=cloud, else none."""
    if settings.whatsapp_provider != "cloud":
        return None
    return WhatsAppCloudSender(
        settings.whatsapp_api_url,
        settings.whatsapp_token,
        settings.whatsapp_phone_number_id,
        timeout=settings.sms_timeout,
        pool_size=max(settings.consumer_concurrency, settings.smtp_pool_size, settings.whatsapp_concurrency),
    )


def build_channels(settings, ssl_context: ssl.SSLContext | None = None) -> Channels:
    """Every channel from the settings; nothing connects until the first message."""
    return Channels(
        email=build_email_sender(settings, ssl_context),
        sms=build_sms_sender(settings),
        sender=settings.smtp_from,
        organizer={"name": settings.organizer_name, "unit": settings.organizer_unit or None},
        retry_delays=tuple(settings.retry_delays),
        # A meeting-wide fan-out over WhatsApp waits on HTTP round trips as the handler threads do.
        fanout_workers=max(settings.smtp_pool_size, settings.whatsapp_concurrency if settings.whatsapp_provider else 0),
        # Long enough for a send that hits every timeout; a crashed sender's claim expires after it.
        lease_seconds=max(60.0, 4 * max(settings.smtp_timeout, settings.sms_timeout)),
        link_rules=LinkRules(settings.public_base_url, tuple(settings.stream_allowed_hosts)),
        whatsapp=build_whatsapp_sender(settings),
        # A malformed WHATSAPP_TEMPLATES stops the process at start, not at the first message.
        whatsapp_templates=parse_templates(settings.whatsapp_templates),
        whatsapp_fallback_minutes=settings.whatsapp_fallback_minutes,
    )
