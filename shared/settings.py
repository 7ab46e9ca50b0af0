"""Typed settings read once from the environment, with one clear line for the first bad variable."""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

SERVICES = ("registration", "notification", "streaming")
DEFAULT_PORTS = {"registration": 8001, "notification": 8002, "streaming": 8003}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ENVIRONMENTS = ("production", "dev")
SMTP_TLS_MODES = ("starttls", "ssl", "none")
DB_POOLERS = ("none", "transaction")
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@\s]*)@", re.IGNORECASE)


class SettingsError(ValueError):
    """A variable of the environment is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Every setting of the suite; each process reads the part it needs."""

    service: str
    # production: mail and SMS must really go out (no file or log senders), SMTP over TLS only.
    environment: str = "production"
    data_dir: Path = Path("./var")
    database_url: str = ""
    rabbitmq_url: str = "amqp://guest:guest@localhost:5672/%2F"
    admin_token: str = ""
    port: int = 8001
    public_base_url: str = "http://localhost:8003"
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one JSON object per line
    max_body_bytes: int = 2 * 1024 * 1024
    # PostgreSQL, seconds, per transaction
    db_statement_timeout: float = 30.0
    db_lock_timeout: float = 10.0
    # False in the API and worker processes when a separate job runs `rakor migrate` before them
    migrate_on_start: bool = True
    # "transaction": PostgreSQL is reached through a pooler in transaction mode (PgBouncer
    # pool_mode=transaction), so no connection may rely on session state (see shared.db)
    db_pooler: str = "none"
    # days after a meeting's end that its personal data stays in notification and streaming (UU 27/2022)
    retention_days: int = 90
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
    smtp_tls: str = "none"  # starttls | ssl | none (none only in dev)
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
    # whatsapp (Business Cloud API) and delivery receipts
    whatsapp_provider: str = ""  # "" (no WhatsApp) or "cloud"
    whatsapp_api_url: str = "https://graph.facebook.com/v20.0"
    whatsapp_token: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_templates: str = ""  # JSON {kind: {locale: name | {"name", "url_button"}}}
    whatsapp_fallback_minutes: float = 15.0
    # the agency contact's digest of what changed for its people: at most one mail per this many minutes
    agency_digest_minutes: int = 60
    whatsapp_concurrency: int = 32  # handler threads of a worker sending WhatsApp (each send waits on a round trip)
    whatsapp_app_secret: str = ""
    whatsapp_verify_token: str = ""
    sms_webhook_secret: str = ""
    # http limits
    agency_rate_limit: int = 600  # requests per minute per agency key
    join_rate_limit: int = 60  # failed lookups per minute per client on /j/{token}; 0: no limit
    join_opens_minutes: int = 30  # a personal link counts as a join from this long before the start
    rate_limit_storage_url: str = ""  # redis://… shares budgets between workers and replicas; empty: in memory
    rate_limit_key_prefix: str = "rakor"  # keeps stacks sharing one Redis apart
    trusted_proxies: int = 0  # proxies in front of the APIs that append to X-Forwarded-For
    handler_timeout_seconds: float = 300.0  # a bus handler running longer is retried and the worker reported unhealthy
    stream_allowed_hosts: tuple[str, ...] = ("zoom.us", "youtube.com", "youtu.be")
    # certificates: the middle of each number (001/<suffix>/2021), and where registration is reached
    # from outside (the verification link /c/{id} printed on a certificate)
    certificate_number_suffix: str = "SERT/RAKOR"
    registration_public_url: str = "http://localhost:8001"
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def smtp_starttls(self) -> bool:
        return self.smtp_tls == "starttls"

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


def _rabbitmq_url(env: Mapping[str, str]) -> str:
    """RABBITMQ_URL: one broker, or the nodes of a cluster, comma-separated (shared.messaging.nodes)."""
    from shared.messaging.nodes import NodeListError, split_node_urls

    raw = (env.get("RABBITMQ_URL") or "amqp://guest:guest@localhost:5672/%2F").strip()
    if "," not in raw:
        return _url(env, "RABBITMQ_URL", "amqp://guest:guest@localhost:5672/%2F", ("amqp", "amqps"))
    try:
        split_node_urls(raw)
    except NodeListError as exc:
        raise SettingsError(f"RABBITMQ_URL={mask_url_passwords(raw)!r}: {exc}") from None
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


def mask_url_passwords(text: str) -> str:
    """`text` with the password of every URL in it (amqp://user:secret@host, postgresql://…) replaced by ***."""
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}***@", text)


def _smtp_tls(env: Mapping[str, str], environment: str) -> str:
    raw = (env.get("SMTP_TLS") or "").strip().lower()
    if not raw:
        # SMTP_STARTTLS is the older spelling; without either, production assumes STARTTLS.
        starttls = _bool(env, "SMTP_STARTTLS", environment == "production")
        return "starttls" if starttls else "none"
    if raw not in SMTP_TLS_MODES:
        raise SettingsError(f"SMTP_TLS={env.get('SMTP_TLS')!r} must be one of {', '.join(SMTP_TLS_MODES)}")
    return raw


def _check_smtp_login(settings: Settings) -> None:
    if settings.smtp_username and settings.smtp_tls == "none":
        raise SettingsError("SMTP_USERNAME needs SMTP_TLS=starttls or ssl: the password would cross the network in clear")


def _check_production(settings: Settings, env: Mapping[str, str]) -> None:
    """A production sender never writes mail to files or SMS to a log and counts it sent."""
    if settings.environment != "production" or settings.service != "notification":
        return
    if not settings.smtp_host:
        raise SettingsError("SMTP_HOST is required when RAKOR_ENV=production (mail would only be written to files)")
    if settings.smtp_tls == "none":
        raise SettingsError("SMTP_TLS=none is allowed only with RAKOR_ENV=dev; use starttls or ssl")
    if settings.sms_provider == "log":
        raise SettingsError("SMS_PROVIDER=log is allowed only with RAKOR_ENV=dev; set SMS_GATEWAY_URL or SMS_PROVIDER=twilio")


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


def _db_pooler(env: Mapping[str, str]) -> str:
    raw = (env.get("DB_POOLER") or "none").strip().lower()
    if raw not in DB_POOLERS:
        raise SettingsError(f"DB_POOLER={env.get('DB_POOLER')!r} must be none or transaction")
    return raw


def _number_suffix(env: Mapping[str, str]) -> str:
    raw = (env.get("CERTIFICATE_NUMBER_SUFFIX") or "SERT/RAKOR").strip()
    # Printed between the sequence and the year: it must stay one readable line of a certificate.
    if len(raw) > 60 or not raw.isprintable():
        raise SettingsError(f"CERTIFICATE_NUMBER_SUFFIX={raw!r} must be at most 60 printable characters")
    return raw


def load_settings(service: str, environ: Mapping[str, str] | None = None, *, require_admin_token: bool = True) -> Settings:
    """Build the settings of one process of `service` from the environment; raise SettingsError on the first bad value."""
    if service not in SERVICES:
        raise SettingsError(f"unknown service {service!r}")
    env = os.environ if environ is None else environ
    environment = (env.get("RAKOR_ENV") or "production").strip().lower()
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"RAKOR_ENV={env.get('RAKOR_ENV')!r} must be production or dev")
    data_dir = Path(env.get("DATA_DIR") or "./var")
    admin_token = env.get("RAKOR_ADMIN_TOKEN", "")
    if require_admin_token and not admin_token:
        raise SettingsError("RAKOR_ADMIN_TOKEN is required (the organizer's bearer token)")
    if admin_token and len(admin_token) < 16:
        raise SettingsError("RAKOR_ADMIN_TOKEN must be at least 16 characters")
    log_level = (env.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL={env.get('LOG_LEVEL')!r} must be one of {', '.join(LOG_LEVELS)}")
    log_format = (env.get("LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        raise SettingsError(f"LOG_FORMAT={env.get('LOG_FORMAT')!r} must be text or json")
    sms_gateway_url = _url(env, "SMS_GATEWAY_URL", "", ("http", "https"))
    sms_provider = (env.get("SMS_PROVIDER") or ("http" if sms_gateway_url else "log")).lower()
    if sms_provider not in ("http", "twilio", "log"):
        raise SettingsError(f"SMS_PROVIDER={sms_provider!r} must be http, twilio or log")
    if sms_provider == "http" and not sms_gateway_url:
        raise SettingsError("SMS_PROVIDER=http needs SMS_GATEWAY_URL")
    if sms_provider == "twilio" and not (env.get("TWILIO_ACCOUNT_SID") and env.get("TWILIO_AUTH_TOKEN") and env.get("TWILIO_FROM")):
        raise SettingsError("SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM")
    whatsapp_provider = (env.get("WHATSAPP_PROVIDER") or "").lower()
    if whatsapp_provider not in ("", "cloud"):
        raise SettingsError(f"WHATSAPP_PROVIDER={whatsapp_provider!r} must be cloud or empty")
    if whatsapp_provider == "cloud" and not (env.get("WHATSAPP_TOKEN") and env.get("WHATSAPP_PHONE_NUMBER_ID") and env.get("WHATSAPP_TEMPLATES")):
        raise SettingsError("WHATSAPP_PROVIDER=cloud needs WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TEMPLATES")
    hosts = tuple(h.strip().lower() for h in (env.get("STREAM_ALLOWED_HOSTS") or "").split(",") if h.strip())
    port_var = f"{service.upper()}_PORT"
    settings = Settings(
        service=service,
        environment=environment,
        data_dir=data_dir,
        database_url=_database_url(env, service, data_dir),
        rabbitmq_url=_rabbitmq_url(env),
        admin_token=admin_token,
        port=_int(env, port_var, DEFAULT_PORTS[service], 1, 65535),
        public_base_url=_url(env, "PUBLIC_BASE_URL", "http://localhost:8003", ("http", "https")).rstrip("/"),
        log_level=log_level,
        log_format=log_format,
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 2 * 1024 * 1024, 1024),
        db_statement_timeout=_float(env, "DB_STATEMENT_TIMEOUT", 30.0),
        db_lock_timeout=_float(env, "DB_LOCK_TIMEOUT", 10.0),
        migrate_on_start=_bool(env, "MIGRATE_ON_START", True),
        db_pooler=_db_pooler(env),
        retention_days=_int(env, "RETENTION_DAYS", 90, 1, 3650),
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
        smtp_tls=_smtp_tls(env, environment),
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
        whatsapp_provider=whatsapp_provider,
        whatsapp_api_url=_url(env, "WHATSAPP_API_URL", "https://graph.facebook.com/v20.0", ("http", "https")).rstrip("/"),
        whatsapp_token=env.get("WHATSAPP_TOKEN", ""),
        whatsapp_phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", ""),
        whatsapp_templates=env.get("WHATSAPP_TEMPLATES", ""),
        whatsapp_fallback_minutes=_float(env, "WHATSAPP_FALLBACK_MINUTES", 15.0),
        agency_digest_minutes=_int(env, "AGENCY_DIGEST_MINUTES", 60, 1, 7 * 24 * 60),
        whatsapp_concurrency=_int(env, "WHATSAPP_CONCURRENCY", 32, 1, 256),
        whatsapp_app_secret=env.get("WHATSAPP_APP_SECRET", ""),
        whatsapp_verify_token=env.get("WHATSAPP_VERIFY_TOKEN", ""),
        sms_webhook_secret=env.get("SMS_WEBHOOK_SECRET", ""),
        agency_rate_limit=_int(env, "AGENCY_RATE_LIMIT", 600, 1),
        join_rate_limit=_int(env, "JOIN_RATE_LIMIT", 60, 0),
        join_opens_minutes=_int(env, "JOIN_OPENS_MINUTES", 30, 0, 24 * 60),
        rate_limit_storage_url=_url(env, "RATE_LIMIT_STORAGE_URL", "", ("redis", "rediss")),
        rate_limit_key_prefix=env.get("RATE_LIMIT_KEY_PREFIX") or "rakor",
        trusted_proxies=_int(env, "TRUSTED_PROXIES", 0, 0, 10),
        handler_timeout_seconds=_float(env, "HANDLER_TIMEOUT_SECONDS", 300.0),
        stream_allowed_hosts=hosts or ("zoom.us", "youtube.com", "youtu.be"),
        certificate_number_suffix=_number_suffix(env),
        registration_public_url=_url(env, "REGISTRATION_PUBLIC_URL", "http://localhost:8001", ("http", "https")).rstrip("/"),
    )
    _check_smtp_login(settings)
    _check_production(settings, env)
    return settings


# Every variable load_settings reads; the compose file test checks its environment against this list.
KNOWN_VARIABLES = frozenset(
    {
        "DATA_DIR", "DATABASE_URL", "REGISTRATION_DATABASE_URL", "NOTIFICATION_DATABASE_URL", "STREAMING_DATABASE_URL",
        "RABBITMQ_URL", "RAKOR_ADMIN_TOKEN", "REGISTRATION_PORT", "NOTIFICATION_PORT", "STREAMING_PORT",
        "PUBLIC_BASE_URL", "LOG_LEVEL", "LOG_FORMAT", "MAX_BODY_BYTES", "DB_STATEMENT_TIMEOUT", "DB_LOCK_TIMEOUT", "DB_POOLER", "MIGRATE_ON_START", "RETENTION_DAYS", "RETRY_DELAYS", "CONSUMER_PREFETCH",
        "CONSUMER_CONCURRENCY", "RELAY_BATCH_SIZE", "RELAY_POLL_INTERVAL", "RELAY_LEASE_SECONDS", "WORKER_METRICS_PORT", "SMTP_HOST", "SMTP_PORT",
        "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMTP_FROM", "SMTP_TIMEOUT", "SMTP_POOL_SIZE", "ORGANIZER_NAME", "ORGANIZER_UNIT",
        "SMS_PROVIDER", "SMS_GATEWAY_URL", "SMS_API_KEY", "SMS_TIMEOUT", "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_BASE_URL", "AGENCY_RATE_LIMIT", "JOIN_RATE_LIMIT",
        "JOIN_OPENS_MINUTES", "STREAM_ALLOWED_HOSTS", "CERTIFICATE_NUMBER_SUFFIX", "REGISTRATION_PUBLIC_URL",
        "RAKOR_ENV", "SMTP_TLS", "RATE_LIMIT_STORAGE_URL", "TRUSTED_PROXIES",
        "HANDLER_TIMEOUT_SECONDS", "RATE_LIMIT_KEY_PREFIX",
        "WHATSAPP_PROVIDER", "WHATSAPP_API_URL", "WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID",
        "WHATSAPP_TEMPLATES", "WHATSAPP_FALLBACK_MINUTES", "WHATSAPP_CONCURRENCY", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "SMS_WEBHOOK_SECRET",
        "AGENCY_DIGEST_MINUTES",
    }
)


def settings_problems(service: str, environ: Mapping[str, str]) -> list[str]:
    """Every problem of `service`'s settings in `environ`, one message each (load_settings stops at the first).

    Each message names its variable first; the variable is then set aside (its default applies) and
    the settings are read again, until they load.
    """
    env, problems = dict(environ), []
    for _ in range(len(KNOWN_VARIABLES) + 1):
        try:
            load_settings(service, environ=env)
            break
        except SettingsError as exc:
            problems.append(str(exc))
            name = re.match(r"[A-Z][A-Z0-9_]*", str(exc))
            if name is None:
                break
            name = name.group(0)
            if name == "RAKOR_ADMIN_TOKEN":
                env[name] = "x" * 32  # required: a stand-in lets the rest be checked
            elif env.pop(name, None) is None:
                break
    return problems


def settings_or_exit(service: str, **kwargs) -> Settings:
    """load_settings for a process entry point: a bad variable ends the process with one line and status 2."""
    import sys

    try:
        return load_settings(service, **kwargs)
    except SettingsError as exc:
        print(f"rakor-{service}: configuration error: {mask_url_passwords(str(exc))}", file=sys.stderr)
        raise SystemExit(2) from None
