"""The organizer's logo of a meeting (admin): upload the image bytes, read what is stored, remove it."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from services.notification import logos
from services.notification.domain.logo import MAX_LOGO_BYTES
from services.notification.schemas import LogoSchema
from services.notification.web import state
from shared.web import Blueprint, abort_json, organizer_only

blp = Blueprint(
    "logos",
    __name__,
    url_prefix="/v1/events",
    description="The organizer's logo in the letterhead of a meeting's mail (inline, never fetched).",
)

_IMAGE_BODY = {
    "required": True,
    "description": f"The image bytes: PNG, JPEG or SVG (no script, nothing external), at most {MAX_LOGO_BYTES // 1024} KiB. The type is read from the bytes.",
    "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in ("image/png", "image/jpeg", "image/svg+xml")},
}


def _session_factory():
    return state().session_factory


@blp.route("/<string:event_id>/logo")
class MeetingLogo(MethodView):
    @organizer_only
    @blp.doc(requestBody=_IMAGE_BODY)
    @blp.response(200, LogoSchema)
    @blp.alt_response(413, description="Larger than the logo limit")
    @blp.alt_response(422, description="Not a PNG, JPEG or safe SVG (errors.logo says why)")
    def put(self, event_id):
        """Set or replace the meeting's logo; mail sent from then on (within 30 s) carries it inline."""
        if request.content_length is not None and request.content_length > MAX_LOGO_BYTES:
            abort_json(413, f"A logo is at most {MAX_LOGO_BYTES // 1024} KiB.")
        data = request.get_data(cache=False)
        if len(data) > MAX_LOGO_BYTES:
            abort_json(413, f"A logo is at most {MAX_LOGO_BYTES // 1024} KiB.")
        return logos.save_logo(_session_factory(), event_id, data)

    @organizer_only
    @blp.response(200, LogoSchema)
    @blp.alt_response(404, description="The meeting has no logo")
    def get(self, event_id):
        """What is stored (type, size, hash); `?raw=1` answers the image itself."""
        logo = logos.find_logo(_session_factory(), event_id)
        if logo is None:
            abort_json(404, "This meeting has no logo.")
        if request.args.get("raw") == "1":
            # Served as a download with no sniffing, so an SVG is never rendered in the API's origin.
            return Response(
                logo.data,
                mimetype=logo.content_type,
                headers={
                    "Content-Disposition": "attachment",
                    "X-Content-Type-Options": "nosniff",
                    "Content-Security-Policy": "default-src 'none'",
                },
            )
        return logo

    @organizer_only
    @blp.response(204)
    @blp.alt_response(404, description="The meeting has no logo")
    def delete(self, event_id):
        """Remove the logo; mail goes back to a letterhead of words only."""
        if not logos.remove_logo(_session_factory(), event_id):
            abort_json(404, "This meeting has no logo.")
