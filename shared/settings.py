"""Typed settings read once from the environment, with one clear line for the first bad variable."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

SERVICES = ("registration", "notification", "streaming")
DEFAULT_PORTS = {"registration": 8001, "notification": 8002, "streaming": 8003}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A variable of the environment is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Every setting of the suite; each process reads the part it needs."""

    service: str
    data_dir: Path = Path("./var")
    database_url: str = ""
    rabbitmq_url: str = "amqp://guest:guest@localhost:5672/%2F"
    admin_token: str = ""
    port: int = 8001
    public_base_url: str = "http://localhost:8003"
    log_level: str = "INFO"
    max_body_bytes: int = 2 * 1024 * 1024
    # messaging
    retry_delays: tuple[float, ...] = (5, 30, 120, 600, 3600)
    consumer_prefetch: int = 32
    consumer_concurrency: int = 4
    relay_batch_size: int = 1000
    relay_poll_interval: float = 0.02
    relay_lease_seconds: float = 30.0
    worker_metrics_port: int = 0  # 0: relays and consumers serve no /metrics
    # email
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_from: str = "Rakor <no-reply@rakor.local>"
    smtp_timeout: float = 15.0
    smtp_pool_size: int = 8
    # who signs a meeting's mail when the meeting names no organizer of its own
    organizer_name: str = "Rakor"
    organizer_unit: str = ""
    # sms
    sms_provider: str = "log"
    sms_gateway_url: str = ""
    sms_api_key: str = ""
    sms_timeout: float = 10.0
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from: str = ""
    twilio_base_url: str = "https://api.twilio.com"
    # http limits
    agency_rate_limit: int = 600  # requests per minute per agency key
    join_rate_limit: int = 60  # requests per minute per client on /j/{token}
    stream_allowed_hosts: tuple[str, ...] = ("zoom.us", "youtube.com", "youtu.be")
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def sms_log_path(self) -> Path:
        return self.data_dir / "sms.log"



def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise SettingsError(f"{name}={raw!r} must be {bound}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    # float() also reads "nan" and "inf", which would reach time.sleep() and timedelta() later.
    if not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{name}={raw!r} must be greater than 0")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} must be true or false")


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    raw = env.get(name) or default
    if not raw:
        return raw
    parsed = urlparse(raw)
    # A host is required: urlparse reads "https:rakor.go.id" (a typo) as a path, not a host.
    if parsed.scheme not in schemes or not parsed.netloc:
        raise SettingsError(f"{name}={raw!r} must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
    return raw


def _delays(env: Mapping[str, str], name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        delays = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} must be a comma-separated list of seconds, e.g. 5,30,120") from None
    if not delays or any(not math.isfinite(d) or d <= 0 for d in delays):
        raise SettingsError(f"{name}={raw!r} must list at least one positive delay")
    return delays


def _database_url(env: Mapping[str, str], service: str, data_dir: Path) -> str:
    # A per-service variable wins so that `make run` can give each process its own database
    # from one environment; DATABASE_URL alone is what a per-service container sets.
    name = f"{service.upper()}_DATABASE_URL"
    raw = env.get(name)
    if not raw:
        name, raw = "DATABASE_URL", env.get("DATABASE_URL")
    if not raw:
        return f"sqlite:///{(data_dir / f'{service}.db').as_posix()}"
    scheme = urlparse(raw).scheme
    if scheme.startswith("postgres"):
        # psycopg 3 is the driver we ship; plain postgres:// URLs are what operators paste.
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if scheme.startswith("sqlite"):
        return raw
    raise SettingsError(f"{name}={raw!r} must start with sqlite:/// or postgresql://")


def load_settings(service: str, environ: Mapping[str, str] | None = None, *, require_admin_token: bool = True) -> Settings:
    """Build the settings of one process of `service` from the environment; raise SettingsError on the first bad value."""
    if service not in SERVICES:
        raise SettingsError(f"unknown service {service!r}")
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("DATA_DIR") or "./var")
    admin_token = env.get("RAKOR_ADMIN_TOKEN", "")
    if require_admin_token and not admin_token:
        raise SettingsError("RAKOR_ADMIN_TOKEN is required (the organizer's bearer token)")
    if admin_token and len(admin_token) < 16:
        raise SettingsError("RAKOR_ADMIN_TOKEN must be at least 16 characters")
    log_level = (env.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL={env.get('LOG_LEVEL')!r} must be one of {', '.join(LOG_LEVELS)}")
    sms_gateway_url = _url(env, "SMS_GATEWAY_URL", "", ("http", "https"))
    sms_provider = (env.get("SMS_PROVIDER") or ("http" if sms_gateway_url else "log")).lower()
    if sms_provider not in ("http", "twilio", "log"):
        raise SettingsError(f"SMS_PROVIDER={sms_provider!r} must be http, twilio or log")
    if sms_provider == "http" and not sms_gateway_url:
        raise SettingsError("SMS_PROVIDER=http needs SMS_GATEWAY_URL")
    if sms_provider == "twilio" and not (env.get("TWILIO_ACCOUNT_SID") and env.get("TWILIO_AUTH_TOKEN") and env.get("TWILIO_FROM")):
        raise SettingsError("SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM")
    hosts = tuple(h.strip().lower() for h in (env.get("STREAM_ALLOWED_HOSTS") or "").split(",") if h.strip())
    port_var = f"{service.upper()}_PORT"
    return Settings(
        service=service,
        data_dir=data_dir,
        database_url=_database_url(env, service, data_dir),
        rabbitmq_url=_url(env, "RABBITMQ_URL", "amqp://guest:guest@localhost:5672/%2F", ("amqp", "amqps")),
        admin_token=admin_token,
        port=_int(env, port_var, DEFAULT_PORTS[service], 1, 65535),
        public_base_url=_url(env, "PUBLIC_BASE_URL", "http://localhost:8003", ("http", "https")).rstrip("/"),
        log_level=log_level,
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 2 * 1024 * 1024, 1024),
        retry_delays=_delays(env, "RETRY_DELAYS", (5, 30, 120, 600, 3600)),
        consumer_prefetch=_int(env, "CONSUMER_PREFETCH", 32, 1, 10000),
        consumer_concurrency=_int(env, "CONSUMER_CONCURRENCY", 4, 1, 256),
        relay_batch_size=_int(env, "RELAY_BATCH_SIZE", 1000, 1, 10000),
        relay_poll_interval=_float(env, "RELAY_POLL_INTERVAL", 0.02),
        relay_lease_seconds=_float(env, "RELAY_LEASE_SECONDS", 30.0),
        worker_metrics_port=_int(env, "WORKER_METRICS_PORT", 0, 0, 65535),
        smtp_host=env.get("SMTP_HOST", ""),
        smtp_port=_int(env, "SMTP_PORT", 25, 1, 65535),
        smtp_username=env.get("SMTP_USERNAME", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_starttls=_bool(env, "SMTP_STARTTLS", False),
        smtp_from=env.get("SMTP_FROM") or "Rakor <no-reply@rakor.local>",
        smtp_timeout=_float(env, "SMTP_TIMEOUT", 15.0),
        smtp_pool_size=_int(env, "SMTP_POOL_SIZE", 8, 1, 256),
        organizer_name=(env.get("ORGANIZER_NAME") or "Rakor").strip(),
        organizer_unit=(env.get("ORGANIZER_UNIT") or "").strip(),
        sms_provider=sms_provider,
        sms_gateway_url=sms_gateway_url,
        sms_api_key=env.get("SMS_API_KEY", ""),
        sms_timeout=_float(env, "SMS_TIMEOUT", 10.0),
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
        twilio_from=env.get("TWILIO_FROM", ""),
        twilio_base_url=_url(env, "TWILIO_BASE_URL", "https://api.twilio.com", ("http", "https")).rstrip("/"),
        agency_rate_limit=_int(env, "AGENCY_RATE_LIMIT", 600, 1),
        join_rate_limit=_int(env, "JOIN_RATE_LIMIT", 60, 1),
        stream_allowed_hosts=hosts or ("zoom.us", "youtube.com", "youtu.be"),
    )


# Every variable load_settings reads; the compose file test checks its environment against this list.
KNOWN_VARIABLES = frozenset(
    {
        "DATA_DIR", "DATABASE_URL", "REGISTRATION_DATABASE_URL", "NOTIFICATION_DATABASE_URL", "STREAMING_DATABASE_URL",
        "RABBITMQ_URL", "RAKOR_ADMIN_TOKEN", "REGISTRATION_PORT", "NOTIFICATION_PORT", "STREAMING_PORT",
        "PUBLIC_BASE_URL", "LOG_LEVEL", "MAX_BODY_BYTES", "RETRY_DELAYS", "CONSUMER_PREFETCH",
        "CONSUMER_CONCURRENCY", "RELAY_BATCH_SIZE", "RELAY_POLL_INTERVAL", "RELAY_LEASE_SECONDS", "WORKER_METRICS_PORT", "SMTP_HOST", "SMTP_PORT",
        "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_FROM", "SMTP_TIMEOUT", "SMTP_POOL_SIZE", "ORGANIZER_NAME", "ORGANIZER_UNIT",
        "SMS_PROVIDER", "SMS_GATEWAY_URL", "SMS_API_KEY", "SMS_TIMEOUT", "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_BASE_URL", "AGENCY_RATE_LIMIT", "JOIN_RATE_LIMIT",
        "STREAM_ALLOWED_HOSTS",
    }
)


def settings_or_exit(service: str, **kwargs) -> Settings:
    """load_settings for a process entry point: a bad variable ends the process with one line and status 2."""
    import sys

    try:
        return load_settings(service, **kwargs)
    except SettingsError as exc:
        print(f"rakor-{service}: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
