"""Jinja2 templates per message kind and locale (templates/<locale>/<kind>.{subject,txt,html,sms}.j2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.notification.domain.letterhead import display_name, online_channels, organizer_of, sms_signature
from services.notification.domain.sms_text import SmsText, prepare_sms
from shared.local_time import format_datetime, format_span

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
LOCALES = ("id", "en")
EMAIL_PARTS = ("subject", "txt", "html")
QR_CID = "checkin-qr"
LOGO_CID = "organizer-logo"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    wants_qr: bool


def _moment(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def template_variables(context: dict[str, Any]) -> dict[str, Any]:
    """The names templates use: the stored context plus times already written for the participant's locale."""
    meeting, locale = context["meeting"], context["locale"]
    timezone = meeting.get("timezone") or "Asia/Jakarta"
    participant = context["participant"]
    in_person = participant.get("attendance_mode") == "in_person"
    defaults = {
        "join_url": None,
        "youtube_url": None,
        "waitlist_position": None,
        "previous_mode": None,
        "changed_fields": [],
        "reason": None,
        "certificate": None,
        "channel_kinds": None,
        "zoom_meeting_id": None,
    }
    organizer = context.get("organizer") or organizer_of(meeting, {"name": "Rakor"})
    channels = online_channels(context.get("channel_kinds"), context.get("youtube_url"))

    def span(of: dict[str, Any]) -> str:
        """A meeting's date and hours in the reader's language (the digest names several meetings)."""
        return (
            format_span(_moment(of["starts_at"]), _moment(of["ends_at"]), of.get("timezone") or "Asia/Jakarta", locale)
            if of.get("starts_at")
            else ""
        )

    def moment(value: Any, zone: str | None = None) -> str:
        return format_datetime(_moment(value), zone or timezone, locale) if value else ""

    # An agency's digest may span several meetings: its letterhead "meeting" then has no time of its own.
    timed = bool(meeting.get("starts_at"))
    return {
        **defaults,
        "digest": None,
        "bulk": None,
        **context,
        "span": span,
        "moment": moment,
        "organizer": organizer,
        "sender_name": display_name(organizer),
        "sms_signature": sms_signature(organizer),
        "zoom": "zoom" in channels,
        "youtube": "youtube" in channels,
        "p": participant,
        "m": meeting,
        "venue": meeting.get("venue") or {},
        "when": span(meeting),
        "starts": format_datetime(_moment(meeting["starts_at"]), timezone, locale) if timed else "",
        "in_person": in_person,
        "has_calendar": bool(context.get("calendar")),
        "show_qr": in_person and bool(participant.get("check_in_code")) and context["kind"] not in ("cancelled", "meeting_cancelled"),
        "qr_cid": QR_CID,
        # Set by the sender when the meeting has a logo; the letterhead then shows the inline part.
        "logo_cid": LOGO_CID if context.get("has_logo") else None,
    }


class Renderer:
    """Renders the email parts and the SMS of a notification from its stored context."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR):
        self.env = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=lambda name: bool(name and name.endswith(".html.j2")),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def _render(self, locale: str, kind: str, part: str, variables: dict[str, Any]) -> str:
        return self.env.get_template(f"{locale}/{kind}.{part}.j2").render(variables)

    def email(self, context: dict[str, Any]) -> RenderedEmail:
        variables = template_variables(context)
        locale, kind = context["locale"], context["kind"]
        subject = " ".join(self._render(locale, kind, "subject", variables).split())
        text = self._render(locale, kind, "txt", variables).strip() + "\n"
        html = self._render(locale, kind, "html", variables)
        return RenderedEmail(subject, text, html, variables["show_qr"])

    def sms(self, context: dict[str, Any]) -> SmsText:
        variables = template_variables(context)
        return prepare_sms(self._render(context["locale"], context["kind"], "sms", variables))


def template_names(templates_dir: Path = TEMPLATES_DIR) -> dict[str, set[str]]:
    """The template files of each locale, relative to the locale folder (a test compares them)."""
    return {locale: {p.name for p in (templates_dir / locale).glob("*.j2")} for locale in LOCALES}
