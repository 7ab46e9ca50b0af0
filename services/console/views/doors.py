"""Door links of a meeting: create one (a link and a QR to open on the door staff's phone), list, revoke."""

from __future__ import annotations

import base64
import io

import qrcode
from flask import Blueprint, g, redirect, render_template, request, url_for
from qrcode.image.pure import PyPNGImage

from services.console.clients import InvalidInput, ServiceError
from services.console.domain.meeting_form import flatten_errors
from services.console.domain.timefmt import instant_from_local
from services.console.door import door_link
from services.console.i18n import translate
from services.console.security import services, signed_in

blp = Blueprint("doors", __name__, url_prefix="/meetings/<event_id>/doors")


def qr_data_uri(text: str) -> str:
    """A PNG QR code of `text` as a data: URI, drawn on the server (the page loads nothing from elsewhere)."""
    # pypng (qrcode[png]), not Pillow: Pillow is not a dependency of the project.
    image = qrcode.make(text, box_size=8, border=2, image_factory=PyPNGImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _page(event_id: str, status: int = 200, **context):
    client = services().registration
    meeting = client.meeting(event_id)
    try:
        tokens, unavailable = client.door_tokens(event_id), False
    except ServiceError as refused:
        if refused.status not in (404, 405):
            raise
        tokens, unavailable = [], True
    context.setdefault("errors", {})
    return render_template("doors/index.html", meeting=meeting, tokens=tokens, unavailable=unavailable, tab="doors", **context), status


@blp.get("")
@signed_in
def index(event_id: str):
    return _page(event_id)


@blp.post("")
@signed_in
def create(event_id: str):
    meeting = services().registration.meeting(event_id)
    body: dict = {"label": request.form.get("label", "").strip()}
    expires = request.form.get("expires_at", "").strip()
    if expires:
        try:
            body["expires_at"] = instant_from_local(expires, meeting["timezone"])
        except ValueError:
            return _page(event_id, 422, errors={"expires_at": [translate("form.bad_time", g.locale)]}, values=body)
    try:
        created = services().registration.create_door_token(event_id, body)
    except InvalidInput as refused:
        return _page(event_id, 422, errors=flatten_errors(refused.errors), values=body)
    except ServiceError as refused:
        if refused.status in (404, 405):
            return _page(event_id, 501)
        raise
    # The door page is served by this console; the phone opens it at the address the organizer uses.
    link = door_link(request.host_url, event_id, created["token"], created.get("label") or "", meeting.get("title") or "")
    return _page(event_id, 201, created=created, link=link, qr=qr_data_uri(link))


@blp.post("/<token_id>/revoke")
@signed_in
def revoke(event_id: str, token_id: str):
    services().registration.revoke_door_token(token_id)
    return redirect(url_for("doors.index", event_id=event_id, notice="doors.revoked"))
