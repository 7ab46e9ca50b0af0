"""The door page's CSS, JavaScript and QR decoder, served gzip-compressed: a phone on a venue's weak signal
loads the page (about 63 KB instead of 266 KB) before the queue notices.

static/vendor/jsQR.js is jsQR 1.4.0 from npm (`dist/jsQR.js`, unmodified; Apache-2.0, licence in
static/vendor/jsQR.LICENSE). To update it: `npm pack jsqr`, copy `package/dist/jsQR.js` and `package/LICENSE`.
"""

from __future__ import annotations

import gzip
import mimetypes
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, request

STATIC = Path(__file__).resolve().parent.parent / "static"
DOOR_ASSETS = ("door.css", "door.js", "vendor/jsQR.js")

blueprint = Blueprint("door_assets", __name__)


@cache
def _asset(name: str) -> tuple[bytes, bytes]:
    raw = (STATIC / name).read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0)


@blueprint.get("/door/assets/<path:name>")
def asset(name: str) -> Response:
    if name not in DOOR_ASSETS:
        abort(404)
    raw, packed = _asset(name)
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(packed if compressed else raw, mimetype=mimetype)
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
