"""The one way a view reaches what its app was built with: the settings, and the service's own state."""

from __future__ import annotations

from typing import Any

from flask import current_app

from shared.settings import Settings

SETTINGS = "RAKOR_SETTINGS"


def service_settings() -> Settings:
    """The settings the app of the current request was created with."""
    return current_app.config[SETTINGS]


def service_state(extension: str) -> Any:
    """What the service put under app.extensions[extension] (sessions, caches, senders)."""
    return current_app.extensions[extension]
