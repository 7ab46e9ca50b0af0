"""The public personal join link: GET /j/{token} redirects to the meeting's current Zoom or YouTube URL."""
from __future__ import annotations

from pathlib import Path

from flask import Response, request
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.streaming import operations
from services.streaming.api import state
from services.streaming.domain.join_target import JoinOutcome
from services.streaming.metrics import VISIT_OUTCOMES
from shared.web import Blueprint, abort_json

blp = Blueprint("join", __name__, description="The participant's personal join link (no login).")
_pages = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"), autoescape=select_autoescape(["html"]))

# The token is in the path: keep it out of caches and out of the Referer sent to Zoom or YouTube.
_PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}

_TEXTS = {
    JoinOutcome.OVER: (
        "Rapat telah selesai",
        "Terima kasih. Rapat ini telah berakhir; rekamannya dapat disaksikan di kanal YouTube.",
        "Thank you. This meeting has ended; the recording can be watched on YouTube.",
    ),
    "unknown": ("Tautan tidak dikenal", "Tautan ini tidak dikenal. Periksa kembali tautan pada email atau SMS Anda.", "This link is unknown. Please check the link in your email or SMS."),
    JoinOutcome.REVOKED: (
        "Tautan tidak berlaku lagi",
        "Tautan ini telah dicabut, misalnya karena pendaftaran dibatalkan atau diubah menjadi hadir langsung.",
        "This link has been revoked, e.g. because the registration was cancelled or changed to in-person attendance.",
    ),
    JoinOutcome.NO_CHANNEL: ("Siaran belum tersedia", "Kanal Zoom atau YouTube rapat ini belum tersedia.", "The Zoom or YouTube channel of this meeting is not available yet."),
}


def _page(key, status: int, *, title: str | None = None, link: str | None = None) -> Response:
    heading_id, message_id, message_en = _TEXTS[key]
    html = _pages.get_template("join_page.html").render(
        heading_id=heading_id, message_id=message_id, message_en=message_en, title=title, link=link, link_label="YouTube"
    )
    return Response(html, status=status, mimetype="text/html", headers=_PRIVATE_HEADERS)


def _wants_html() -> bool:
    accepted = request.accept_mimetypes
    return accepted.accept_html and accepted.quality("text/html") >= accepted.quality("application/json")


def _refuse(key, status: int, message: str):
    # A participant's browser gets a readable page; API clients and tests get the spec's JSON error.
    if _wants_html():
        return _page(key, status)
    abort_json(status, message)


@blp.route("/j/<token>")
@blp.doc(
    security=[],
    responses={
        "200": {"description": "The meeting is over: a small HTML page with the YouTube recording link", "content": {"text/html": {}}},
        "302": {"description": "To the Zoom meeting (or the YouTube live stream); the join is recorded"},
        "404": {"description": "Unknown link"},
        "410": {"description": "Revoked link"},
        "429": {"description": "Too many attempts from this address (Retry-After)"},
    },
)
def join(token: str):
    """Open a personal link: redirect to the meeting's current channel and record the join."""
    # Only failed look-ups spend a client's budget: a whole office behind one address opening its
    # valid links at 09:00 is never refused, while guessing tokens soon is.
    limiter, client = state().join_limiter, request.remote_addr or "unknown"
    retry_after = limiter.blocked(client) if limiter else None
    if retry_after is not None:
        VISIT_OUTCOMES["rate_limited"].inc()
        abort_json(429, "Too many requests; try again later.", headers={"Retry-After": str(int(retry_after))})
    visit = operations.open_link(state().join_path, token, record=request.method != "HEAD")
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
    if decision.outcome is JoinOutcome.OVER:
        return _page(JoinOutcome.OVER, 200, title=visit.meeting_title, link=decision.url)
    if decision.outcome is JoinOutcome.REVOKED:
        return _refuse(JoinOutcome.REVOKED, 410, "This join link has been revoked.")
    return _refuse(JoinOutcome.NO_CHANNEL, 404, "This meeting has no Zoom or YouTube channel yet.")
