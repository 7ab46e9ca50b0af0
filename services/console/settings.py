"""The console's typed settings, read once from the environment (the services' own settings live in shared.settings)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.settings import (
    LOG_LEVELS,
    Reading,
    SettingsError,
    address,
    declared_variables,
    directory,
    one_of,
    positive,
    read_declared,
    setting,
    whole,
)

DEFAULT_PORT = 8004
_HTTP = ("http", "https")


def _secret_key(reading: Reading, name: str, default: str) -> str:
    key = reading.env.get(name, default)
    if len(key) < 32:
        raise SettingsError(f"{name} is required, at least 32 characters (it seals the sessions kept on disk)")
    return key


def _secure(reading: Reading, name: str, default: bool | None) -> bool | None:
    raw = (reading.env.get(name) or "auto").strip().lower()
    if raw == "auto":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} must be auto, true or false")


@dataclass(frozen=True)
class ConsoleSettings:
    """Where the services answer, how sessions are kept, how long the console waits for an answer.

    Each field is declared once with its variable, default and reader (shared.settings.setting), read in this order.
    """

    secret_key: str = setting("CONSOLE_SECRET_KEY", "", _secret_key)
    log_level: str = setting("LOG_LEVEL", "INFO", one_of(LOG_LEVELS, str.upper, f"one of {', '.join(LOG_LEVELS)}"))
    registration_url: str = setting("REGISTRATION_URL", "http://localhost:8001", address(*_HTTP, trailing_slash=False))
    notification_url: str = setting("NOTIFICATION_URL", "http://localhost:8002", address(*_HTTP, trailing_slash=False))
    streaming_url: str = setting("STREAMING_URL", "http://localhost:8003", address(*_HTTP, trailing_slash=False))
    port: int = setting("CONSOLE_PORT", DEFAULT_PORT, whole(1, 65535))
    data_dir: Path = setting("DATA_DIR", Path("./var"), directory)
    session_minutes: int = setting("CONSOLE_SESSION_MINUTES", 480, whole(1, 7 * 24 * 60))
    http_timeout: float = setting("CONSOLE_HTTP_TIMEOUT", 5.0, positive)
    # None (auto): Secure cookies exactly when the request came over https.
    secure_cookies: bool | None = setting("CONSOLE_SECURE_COOKIES", None, _secure)

    @property
    def session_dir(self) -> Path:
        return self.data_dir / "console-sessions"


# Every variable load_console_settings reads; the compose file test checks the console's environment against it.
VARIABLES = declared_variables(ConsoleSettings, "console")


def load_console_settings(environ: Mapping[str, str] | None = None) -> ConsoleSettings:
    """Build the console's settings; raise SettingsError naming the first bad variable."""
    reading = Reading(os.environ if environ is None else environ, "console", False, {})
    return ConsoleSettings(**read_declared(ConsoleSettings, reading))


def console_settings_or_exit() -> ConsoleSettings:
    """load_console_settings for gunicorn: a bad variable ends the process with one line and status 2."""
    import sys

    try:
        return load_console_settings()
    except SettingsError as exc:
        print(f"rakor-console: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
