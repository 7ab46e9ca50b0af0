"""Renders a claimed notification and hands it to its channel; every outcome comes back as a DeliveryResult."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.notification import metrics
from services.notification.channels import Channels
from services.notification.content.certificate_pdf import render_certificate
from services.notification.content.invitation import build_invitation
from services.notification.content.mail_message import build_email
from services.notification.content.qr_image import qr_png
from services.notification.content.rendering import Renderer, template_variables
from services.notification.domain.delivery import OUTCOME_SENT, OUTCOME_TRANSIENT, DeliveryFailure, DeliveryResult, PermanentFailure
from services.notification.domain.letterhead import from_header, organizer_of
from services.notification.domain.messages import EMAIL, WHATSAPP
from services.notification.domain.whatsapp import body_parameters, link_suffix

if TYPE_CHECKING:
    from services.notification.logos import LogoImage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """A notification reserved for one sender: what to send and to whom."""

    id: str
    channel: str
    recipient: str
    kind: str
    context: dict[str, Any]
    attempt_number: int


def _certificate_attachment(context: dict[str, Any]) -> tuple[str, bytes] | None:
    """The certificate PDF, rendered at sending time from the notification's stored context."""
    certificate = context.get("certificate")
    if not certificate:
        return None
    name = "sertifikat" if context["locale"] == "id" else "certificate"
    return f"{name}-{certificate['number'].split('/')[0]}.pdf", render_certificate(certificate, context["locale"])


class Courier:
    """Turns a claim into a sent message or a classified failure; never raises for a delivery problem."""

    def __init__(self, channels: Channels, renderer: Renderer | None = None, logos: Callable[[str], LogoImage | None] | None = None):
        self.channels = channels
        self.renderer = renderer or Renderer()
        # event id -> the organizer's logo (a LogoCache); None: mail goes out without one.
        self.logos = logos
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def executor(self) -> ThreadPoolExecutor:
        """Threads for the messages of one fan-out, created on first use (the API never needs them)."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.channels.fanout_workers, thread_name_prefix="notification-fanout")
            return self._executor

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
        self.channels.close()

    def deliver(self, claim: Claim) -> DeliveryResult:
        started = time.perf_counter()
        try:
            if claim.channel == EMAIL:
                result = self._send_email(claim)
            elif claim.channel == WHATSAPP:
                result = self._send_whatsapp(claim)
            else:
                result = self._send_sms(claim)
        except DeliveryFailure as failure:
            result = DeliveryResult(failure.outcome, error=str(failure)[:1000], retry_after=failure.retry_after)
        except Exception as exc:  # noqa: BLE001 - a rendering bug or odd data must not lose the notification
            log.exception("notification %s could not be prepared", claim.id)
            result = DeliveryResult(OUTCOME_TRANSIENT, error=f"{type(exc).__name__}: {exc}"[:1000])
        metrics.SEND_SECONDS.labels(claim.channel).observe(time.perf_counter() - started)
        return result

    def _with_organizer(self, context: dict[str, Any]) -> dict[str, Any]:
        # Resolved at send time, so a meeting without its own organizer signs with the current settings.
        return {**context, "organizer": organizer_of(context["meeting"], self.channels.organizer)}

    def _send_email(self, claim: Claim) -> DeliveryResult:
        context = self._with_organizer(claim.context)
        logo = self.logos(context["meeting"]["id"]) if self.logos else None
        context["has_logo"] = logo is not None
        rendered = self.renderer.email(context)
        participant = context["participant"]
        sender = from_header(self.channels.sender, context["organizer"])
        calendar = build_invitation(context, organizer=sender) if context.get("calendar") else None
        message = build_email(
            rendered,
            sender=sender,
            to_name=participant["full_name"],
            to_address=claim.recipient,
            message_key=claim.id,
            calendar=calendar,
            calendar_method=(context.get("calendar") or {}).get("method"),
            qr_png=qr_png(participant["check_in_code"]) if rendered.wants_qr else None,
            calendar_filename="undangan.ics" if context["locale"] == "id" else "invitation.ics",
            pdf=_certificate_attachment(context),
            logo=(logo.content_type, logo.data) if logo else None,
        )
        provider_id = self.channels.email.send(message, claim.recipient)
        return DeliveryResult(OUTCOME_SENT, provider_id=provider_id)

    def _send_sms(self, claim: Claim) -> DeliveryResult:
        text = self.renderer.sms(self._with_organizer(claim.context))
        try:
            provider_id = self.channels.sms.send(claim.recipient, text, claim.id)
        except DeliveryFailure as failure:
            # The segment count is known before sending: recorded on a failed attempt as well.
            return DeliveryResult(failure.outcome, error=str(failure)[:1000], retry_after=failure.retry_after, segments=text.segments)
        return DeliveryResult(OUTCOME_SENT, provider_id=provider_id, segments=text.segments)

    def _send_whatsapp(self, claim: Claim) -> DeliveryResult:
        sender = self.channels.whatsapp
        if sender is None:
            raise PermanentFailure("WhatsApp is not configured (WHATSAPP_PROVIDER)")
        locale, kind = claim.context["locale"], claim.kind
        template = self.channels.whatsapp_templates.get(kind, {}).get(locale)
        if template is None:
            raise PermanentFailure(f"no WhatsApp template for {kind} in {locale} (WHATSAPP_TEMPLATES)")
        variables = template_variables(claim.context)
        provider_id = sender.send(claim.recipient, template, locale, body_parameters(variables), link_suffix(variables.get("join_url")))
        return DeliveryResult(OUTCOME_SENT, provider_id=provider_id)
