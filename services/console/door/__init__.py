"""The door check-in page for phones: `init_door(app)` mounts it on the console (after the console's state)."""

from __future__ import annotations

from flask import Flask, request

from services.console.door.assets import blueprint as assets_blueprint
from services.console.door.links import door_link
from services.console.door.views import blueprint as views_blueprint

__all__ = ["door_link", "init_door"]


def init_door(app: Flask) -> None:
    """Register the door's pages, its JSON endpoints for door.js and its compressed assets."""
    app.register_blueprint(views_blueprint)
    app.register_blueprint(assets_blueprint)

    @app.after_request
    def _door_headers(response):
        if request.path.startswith("/door") and not request.path.startswith("/door/assets/"):
            # The camera for this origin only; answers (JSON too) name participants: never cached.
            response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
            response.headers["Cache-Control"] = "no-store"
        return response
