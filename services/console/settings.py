"""The console's typed settings, read once from the environment (the services' own settings live in shared.settings)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from shared.settings import LOG_LEVELS, SettingsError, _float, _int, _url

DEFAULT_PORT = 8004

# Every variable load_console_settings reads; the compose file test checks the console's environment against it.
VARIABLES = frozenset(
    {
        "CONSOLE_PORT", "REGISTRATION_URL", "NOTIFICATION_URL", "STREAMING_URL", "CONSOLE_SECRET_KEY",
        "CONSOLE_SESSION_MINUTES", "CONSOLE_HTTP_TIMEOUT", "CONSOLE_SECURE_COOKIES", "DATA_DIR", "LOG_LEVEL",
    }
)


@dataclass(frozen=True)
class ConsoleSettings:
    """Where the services answer, how sessions are kept, how long the console waits for an answer."""

    secret_key: str
    registration_url: str = "http://localhost:8001"
    notification_url: str = "http://localhost:8002"
    streaming_url: str = "http://localhost:8003"
    port: int = DEFAULT_PORT
    data_dir: Path = Path("./var")
    session_minutes: int = 480
    http_timeout: float = 5.0
    # None: Secure cookies exactly when the request came over https.
    secure_cookies: bool | None = None
    log_level: str = "INFO"

    @property
    def session_dir(self) -> Path:
        return self.data_dir / "console-sessions"


def _secure(env: Mapping[str, str]) -> bool | None:
    raw = (env.get("CONSOLE_SECURE_COOKIES") or "auto").strip().lower()
    if raw == "auto":
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"CONSOLE_SECURE_COOKIES={raw!r} must be auto, true or false")


def load_console_settings(environ: Mapping[str, str] | None = None) -> ConsoleSettings:
    """Build the console's settings; raise SettingsError naming the first bad variable."""
    env = os.environ if environ is None else environ
    secret_key = env.get("CONSOLE_SECRET_KEY", "")
    if len(secret_key) < 32:
        raise SettingsError("CONSOLE_SECRET_KEY is required, at least 32 characters (it seals the sessions kept on disk)")
    log_level = (env.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL={env.get('LOG_LEVEL')!r} must be one of {', '.join(LOG_LEVELS)}")
    return ConsoleSettings(
        secret_key=secret_key,
        registration_url=_url(env, "REGISTRATION_URL", "http://localhost:8001", ("http", "https")).rstrip("/"),
        notification_url=_url(env, "NOTIFICATION_URL", "http://localhost:8002", ("http", "https")).rstrip("/"),
        streaming_url=_url(env, "STREAMING_URL", "http://localhost:8003", ("http", "https")).rstrip("/"),
        port=_int(env, "CONSOLE_PORT", DEFAULT_PORT, 1, 65535),
        data_dir=Path(env.get("DATA_DIR") or "./var"),
        session_minutes=_int(env, "CONSOLE_SESSION_MINUTES", 480, 1, 7 * 24 * 60),
        http_timeout=_float(env, "CONSOLE_HTTP_TIMEOUT", 5.0),
        secure_cookies=_secure(env),
        log_level=log_level,
    )


def console_settings_or_exit() -> ConsoleSettings:
    """load_console_settings for gunicorn: a bad variable ends the process with one line and status 2."""
    import sys

    try:
        return load_console_settings()
    except SettingsError as exc:
        print(f"rakor-console: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
