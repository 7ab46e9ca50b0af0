"""A meeting's online side: Zoom and YouTube channels, publishing personal links, who joined."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from services.console.clients import InvalidInput, ServiceError
from services.console.domain.meeting_form import flatten_errors
from services.console.security import accepts_upload, services, signed_in

blp = Blueprint("streaming", __name__, url_prefix="/meetings/<event_id>/streaming")
KINDS = ("zoom", "youtube")
# Zoom's participant report for a national meeting (3,000 people, rejoins included) is about 600 KB;
# the streaming API refuses above its own MAX_BODY_BYTES and the page says so.
REPORT_LIMIT = 8 * 1024 * 1024


def _page(event_id: str, status: int = 200, **context):
    clients = services()
    meeting = clients.registration.meeting(event_id)
    channels = clients.streaming.channels(event_id)
    joins = clients.streaming.joins(event_id)
    by_kind = {c["kind"]: c for c in channels.get("channels", [])}
    context.setdefault("errors", {})
    return render_template(
        "streaming/index.html", meeting=meeting, channels=channels, by_kind=by_kind, joins=joins, kinds=KINDS, tab="streaming", **context
    ), status


@blp.get("")
@signed_in
def index(event_id: str):
    return _page(event_id)


@blp.post("/channels/<kind>")
@signed_in
def save_channel(event_id: str, kind: str):
    if kind not in KINDS:
        abort(404)
    form = request.form
    body = {"url": form.get(f"{kind}.url", "").strip()}
    if kind == "zoom":
        body.update(meeting_id=form.get("zoom.meeting_id", "").strip() or None, passcode=form.get("zoom.passcode", "").strip() or None)
    try:
        services().streaming.put_channel(event_id, kind, body)
    except InvalidInput as refused:
        errors = {f"{kind}.{field}": messages for field, messages in flatten_errors(refused.errors).items()}
        return _page(event_id, 422, errors=errors, values={kind: body})
    return redirect(url_for("streaming.index", event_id=event_id, notice="streaming.saved"))


@blp.post("/publish")
@signed_in
def publish(event_id: str):
    result = services().streaming.publish(event_id)
    return _page(event_id, 200, published=result)


@blp.post("/zoom-report")
@signed_in
@accepts_upload(REPORT_LIMIT)
def import_zoom_report(event_id: str):
    """Zoom's participant report as exported after the meeting: minutes per online participant, and who did not match."""
    upload = request.files.get("report")
    if upload is None or not upload.filename:
        return _page(event_id, 422, report_errors=["streaming.report_missing"])
    try:
        result = services().streaming.import_zoom_report(event_id, upload.filename, upload.read())
    except InvalidInput as refused:
        lines = [f"{field}: {message}" for field, messages in flatten_errors(refused.errors).items() for message in messages]
        return _page(event_id, 422, report_errors=lines or ["streaming.report_invalid"])
    except ServiceError as refused:
        if refused.status != 413:
            raise
        return _page(event_id, 413, report_errors=["streaming.report_too_large"])
    return _page(event_id, 200, report=result)
