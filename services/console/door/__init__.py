"""The door check-in page for phones: `init_door(app, ...)` mounts it on the console."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, request

from services.console.door.assets import blueprint as assets_blueprint
from services.console.door.links import door_link
from services.console.door.sessions import DoorSessions
from services.console.door.views import blueprint as views_blueprint

__all__ = ["door_link", "init_door"]

# The camera is the one thing only JavaScript can do; the page allows no inline script nor any other origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class DoorContext:
    registration_url: str
    sessions: DoorSessions


def init_door(app: Flask, *, registration_url: str, data_dir: Path) -> None:
    """Mount the door page; door sessions live in `data_dir`/door-sessions.db."""
    app.extensions["rakor_door"] = DoorContext(registration_url, DoorSessions(Path(data_dir) / "door-sessions.db"))
    app.register_blueprint(views_blueprint)
    app.register_blueprint(assets_blueprint)

    @app.after_request
    def _door_headers(response):
        if request.path.startswith("/door"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=()")
            # The door link carries its token in the URL until the redirect: never send it as a Referer.
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            if not request.path.startswith("/door/assets/"):
                response.headers.setdefault("Cache-Control", "no-store")
        return response
