"""The door page served on its own (`gunicorn 'services.console.door.standalone:create_app()'`), for a
venue that runs only the door and for the door's own tests; the console mounts the same code with init_door."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask

from services.console.door import init_door
from shared.logs import configure_logging


def create_app(environ: dict[str, str] | None = None) -> Flask:
    env = dict(os.environ if environ is None else environ)
    registration_url = env.get("REGISTRATION_URL", "http://127.0.0.1:8001")
    if not registration_url.startswith(("http://", "https://")):
        sys.exit(f"REGISTRATION_URL must be an http(s) URL, got {registration_url!r}")
    configure_logging("console", env.get("LOG_LEVEL", "INFO"))
    app = Flask("services.console")
    init_door(app, registration_url=registration_url, data_dir=Path(env.get("DATA_DIR", "./var")))

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
