"""The public personal join link: GET /j/{token} redirects to the meeting's current Zoom or YouTube URL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Response, request
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.streaming import operations
from services.streaming.api import state
from services.streaming.domain.join_target import JoinOutcome
from services.streaming.metrics import VISIT_OUTCOMES
from shared.local_time import format_clock, format_datetime
from shared.web import Blueprint, abort_json
from shared.web.state import service_settings

blp = Blueprint("join", __name__, description="The participant's personal join link (no login).")
_pages = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"), autoescape=select_autoescape(["html"]))

# The token is in the path: keep it out of caches and out of the Referer sent to Zoom or YouTube.
_PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}

# (heading, message) per language; the participant's language when known, else Indonesian then English.
_TEXTS = {
    JoinOutcome.OVER: {
        "id": ("Rapat telah selesai", "Terima kasih. Rapat ini telah berakhir; rekamannya dapat disaksikan di kanal YouTube."),
        "en": ("The meeting has ended", "Thank you. This meeting has ended; the recording can be watched on YouTube."),
    },
    "ended": {
        "id": ("Rapat telah selesai", "Terima kasih. Rapat ini telah berakhir."),
        "en": ("The meeting has ended", "Thank you. This meeting has ended."),
    },
    JoinOutcome.EARLY: {
        "id": (
            "Rapat belum dimulai",
            "Rapat dimulai {starts}. Tautan ini dapat digunakan mulai {opens}; silakan buka kembali pada waktu itu.",
        ),
        "en": ("The meeting has not started yet", "The meeting starts on {starts}. This link opens at {opens}; please come back then."),
    },
    "unknown": {
        "id": ("Tautan tidak dikenal", "Tautan ini tidak dikenal. Periksa kembali tautan pada email atau SMS Anda."),
        "en": ("Unknown link", "This link is unknown. Please check the link in your email or SMS."),
    },
    JoinOutcome.REVOKED: {
        "id": (
            "Tautan tidak berlaku lagi",
            "Tautan ini telah dicabut, misalnya karena pendaftaran dibatalkan atau diubah menjadi hadir langsung.",
        ),
        "en": (
            "This link no longer works",
            "This link has been revoked, e.g. because the registration was cancelled or changed to in-person attendance.",
        ),
    },
    JoinOutcome.CANCELLED: {
        "id": ("Rapat dibatalkan", "Rapat ini telah dibatalkan oleh penyelenggara; tautan ini tidak berlaku lagi."),
        "en": ("The meeting has been cancelled", "This meeting has been cancelled by the organizer; this link no longer works."),
    },
    JoinOutcome.NO_CHANNEL: {
        "id": ("Siaran belum tersedia", "Kanal Zoom atau YouTube rapat ini belum tersedia."),
        "en": ("The stream is not available yet", "The Zoom or YouTube channel of this meeting is not available yet."),
    },
}
LANGUAGES = ("id", "en")


def _page(key, status: int, *, locale: str | None = None, title: str | None = None, link: str | None = None, **values: str) -> Response:
    languages = (locale,) if locale in LANGUAGES else LANGUAGES
    texts = _TEXTS[key]
    messages = [(lang, texts[lang][1].format(**values.get(lang, {}))) for lang in languages]
    html = _pages.get_template("join_page.html").render(
        lang=languages[0], heading=texts[languages[0]][0], messages=messages, title=title, link=link, link_label="YouTube"
    )
    return Response(html, status=status, mimetype="text/html", headers=_PRIVATE_HEADERS)


def _early_page(visit: operations.LinkVisit) -> Response:
    """When the meeting starts and from when the link opens, in the meeting's zone (WIB/WITA/WIT), per language."""
    link, opens_at = visit.link, visit.decision.opens_at
    zone = link.timezone or "UTC"
    same_day = opens_at.astimezone(ZoneInfo(zone)).date() == link.starts_at.astimezone(ZoneInfo(zone)).date()
    opens = format_clock if same_day else format_datetime
    values = {lang: {"starts": format_datetime(link.starts_at, zone, lang), "opens": opens(opens_at, zone, lang)} for lang in LANGUAGES}
    return _page(JoinOutcome.EARLY, 200, locale=link.locale, title=link.title, **values)


def _wants_html() -> bool:
    accepted = request.accept_mimetypes
    return accepted.accept_html and accepted.quality("text/html") >= accepted.quality("application/json")


def _refuse(key, status: int, message: str, locale: str | None = None):
    # A participant's browser gets a readable page; API clients and tests get the spec's JSON error.
    if _wants_html():
        return _page(key, status, locale=locale)
    abort_json(status, message)


@blp.route("/j/<token>")
@blp.doc(
    security=[],
    responses={
        "200": {
            "description": "Too early (a page saying when the meeting starts) or over (the YouTube recording, if any); no join recorded",
            "content": {"text/html": {}},
        },
        "302": {
            "description": "To the Zoom meeting (or the YouTube live stream) from JOIN_OPENS_MINUTES before the start to its end; the join is recorded (not for HEAD)"
        },
        "404": {"description": "Unknown link"},
        "410": {"description": "Revoked link, or the meeting was cancelled"},
        "429": {"description": "Too many attempts from this address (Retry-After)"},
    },
)
def join(token: str):
    """Open a personal link: during the meeting's window redirect to its current channel and record the join."""
    # Only failed look-ups spend a client's budget: a whole office behind one address opening its
    # valid links at 09:00 is never refused, while guessing tokens soon is.
    limiter, client = state().join_limiter, request.remote_addr or "unknown"
    retry_after = limiter.blocked(client) if limiter else None
    if retry_after is not None:
        VISIT_OUTCOMES["rate_limited"].inc()
        abort_json(429, "Too many requests; try again later.", headers={"Retry-After": str(int(retry_after))})
    opens_before = dt.timedelta(minutes=service_settings().join_opens_minutes)
    visit = operations.open_link(state().join_path, token, opens_before, record=request.method != "HEAD")
    if visit is None:
        VISIT_OUTCOMES["unknown"].inc()
        if limiter:
            limiter.hit(client)
        return _refuse("unknown", 404, "This join link is unknown.")
    decision = visit.decision
    VISIT_OUTCOMES[decision.outcome.value].inc()
    if decision.outcome is JoinOutcome.REDIRECT:
        # No HTML body (werkzeug's redirect() renders one): browsers follow Location alone.
        return Response(status=302, headers={"Location": decision.url, **_PRIVATE_HEADERS})
    locale = visit.link.locale
    if decision.outcome is JoinOutcome.EARLY:
        return _early_page(visit)
    if decision.outcome is JoinOutcome.OVER:
        return _page(JoinOutcome.OVER if decision.url else "ended", 200, locale=locale, title=visit.link.title, link=decision.url)
    if decision.outcome is JoinOutcome.REVOKED:
        return _refuse(JoinOutcome.REVOKED, 410, "This join link has been revoked.", locale)
    if decision.outcome is JoinOutcome.CANCELLED:
        return _refuse(JoinOutcome.CANCELLED, 410, "This meeting has been cancelled; its join links no longer work.", locale)
    return _refuse(JoinOutcome.NO_CHANNEL, 404, "This meeting has no Zoom or YouTube channel yet.", locale)
