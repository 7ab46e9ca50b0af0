"""Typed settings read once from the environment, with one clear line for the first bad variable."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
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
class Reading:
    """What a reader sees: the environment, the service read for, and the settings read before its own."""

    env: Mapping[str, str]
    service: str
    require_admin_token: bool
    values: dict[str, Any]


# A reader turns the variable `name` (absent, empty or set) into a setting's value, or raises SettingsError.
Reader = Callable[[Reading, str, Any], Any]


def setting(variable: str, default: Any, read: Reader | None = None) -> Any:
    """A field of Settings: read from `variable` ({SERVICE} stands for the service's name) by `read`, plain text if none.

    The default is written here once; load_settings reads the fields in their order of declaration,
    so a reader may look at the settings declared above its own.
    """
    return field(default=default, metadata={"variable": variable, "read": read or _text})


# --- readers ------------------------------------------------------------------------------------------


def _text(reading: Reading, name: str, default: str) -> str:
    return reading.env.get(name, default)


def _text_or_default(reading: Reading, name: str, default: str) -> str:
    """Empty counts as unset."""
    return reading.env.get(name) or default


def _stripped(reading: Reading, name: str, default: str) -> str:
    return (reading.env.get(name) or default).strip()


def _whole(minimum: int = 0, maximum: int | None = None) -> Reader:
    return lambda reading, name, default: _int(reading.env, name, default, minimum, maximum)


def _positive(reading: Reading, name: str, default: float) -> float:
    return _float(reading.env, name, default)


def _flag(reading: Reading, name: str, default: bool) -> bool:
    return _bool(reading.env, name, default)


def _address(*schemes: str, trailing_slash: bool = True) -> Reader:
    def read(reading: Reading, name: str, default: str) -> str:
        value = _url(reading.env, name, default, schemes)
        return value if trailing_slash else value.rstrip("/")

    return read


def _seconds_list(reading: Reading, name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    return _delays(reading.env, name, default)


def _broker_nodes(reading: Reading, name: str, default: str) -> str:
    """RABBITMQ_URL: one broker, or the nodes of a cluster, comma-separated (shared.messaging.nodes)."""
    from shared.messaging.nodes import NodeListError, split_node_urls

    raw = (reading.env.get(name) or default).strip()
    if "," not in raw:
        return _url(reading.env, name, default, ("amqp", "amqps"))
    try:
        split_node_urls(raw)
    except NodeListError as exc:
        raise SettingsError(f"{name}={mask_url_passwords(raw)!r}: {exc}") from None
    return raw


def _one_of(choices: tuple[str, ...], case: Callable[[str], str], expected: str) -> Reader:
    def read(reading: Reading, name: str, default: str) -> str:
        value = case((reading.env.get(name) or default).strip())
        if value not in choices:
            raise SettingsError(f"{name}={reading.env.get(name)!r} must be {expected}")
        return value

    return read


def _directory(reading: Reading, name: str, default: Path) -> Path:
    return Path(reading.env.get(name) or default)


def _admin_token(reading: Reading, name: str, default: str) -> str:
    token = reading.env.get(name, default)
    if reading.require_admin_token and not token:
        raise SettingsError(f"{name} is required (the organizer's bearer token)")
    if token and len(token) < 16:
        raise SettingsError(f"{name} must be at least 16 characters")
    return token


def _sms_provider(reading: Reading, name: str, default: str) -> str:
    env = reading.env
    gateway = reading.values["sms_gateway_url"]
    provider = (env.get(name) or ("http" if gateway else default)).lower()
    if provider not in ("http", "twilio", "log"):
        raise SettingsError(f"{name}={provider!r} must be http, twilio or log")
    if provider == "http" and not gateway:
        raise SettingsError(f"{name}=http needs SMS_GATEWAY_URL")
    if provider == "twilio" and not (env.get("TWILIO_ACCOUNT_SID") and env.get("TWILIO_AUTH_TOKEN") and env.get("TWILIO_FROM")):
        raise SettingsError(f"{name}=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM")
    return provider


def _whatsapp_provider(reading: Reading, name: str, default: str) -> str:
    env = reading.env
    provider = (env.get(name) or default).lower()
    if provider not in ("", "cloud"):
        raise SettingsError(f"{name}={provider!r} must be cloud or empty")
    if provider == "cloud" and not (env.get("WHATSAPP_TOKEN") and env.get("WHATSAPP_PHONE_NUMBER_ID") and env.get("WHATSAPP_TEMPLATES")):
        raise SettingsError(f"{name}=cloud needs WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TEMPLATES")
    return provider


def _hosts(reading: Reading, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    hosts = tuple(h.strip().lower() for h in (reading.env.get(name) or "").split(",") if h.strip())
    return hosts or default


def _database_url(reading: Reading, name: str, default: str) -> str:
    # A per-service variable wins so that `make run` can give each process its own database
    # from one environment; DATABASE_URL alone is what a per-service container sets.
    env = reading.env
    raw = env.get(name)
    if not raw:
        name, raw = "DATABASE_URL", env.get("DATABASE_URL")
    if not raw:
        return f"sqlite:///{(reading.values['data_dir'] / f'{reading.service}.db').as_posix()}"
    scheme = urlparse(raw).scheme
    if scheme.startswith("postgres"):
        # psycopg 3 is the driver we ship; plain postgres:// URLs are what operators paste.
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if scheme.startswith("sqlite"):
        return raw
    raise SettingsError(f"{name}={raw!r} must start with sqlite:/// or postgresql://")


def _port(reading: Reading, name: str, default: int) -> int:
    return _int(reading.env, name, DEFAULT_PORTS[reading.service], 1, 65535)


def _smtp_tls(reading: Reading, name: str, default: str) -> str:
    env = reading.env
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        # SMTP_STARTTLS is the older spelling; without either, production assumes STARTTLS.
        starttls = _bool(env, "SMTP_STARTTLS", reading.values["environment"] == "production")
        return "starttls" if starttls else default
    if raw not in SMTP_TLS_MODES:
        raise SettingsError(f"{name}={env.get(name)!r} must be one of {', '.join(SMTP_TLS_MODES)}")
    return raw


def _number_suffix(reading: Reading, name: str, default: str) -> str:
    raw = (reading.env.get(name) or default).strip()
    # Printed between the sequence and the year: it must stay one readable line of a certificate.
    if len(raw) > 60 or not raw.isprintable():
        raise SettingsError(f"{name}={raw!r} must be at most 60 printable characters")
    return raw


_HTTP = ("http", "https")

# The readers other settings declarations use (the console's).
whole, positive, address, one_of, directory = _whole, _positive, _address, _one_of, _directory


@dataclass(frozen=True)
class Settings:
    """Every setting of the suite, each declared once with its variable, default and reader; each process reads the part it needs.

    The order is the order of reading (and of the problems `rakor check-config` lists).
    """

    service: str
    # production: mail and SMS must really go out (no file or log senders), SMTP over TLS only.
    environment: str = setting("RAKOR_ENV", "production", _one_of(ENVIRONMENTS, str.lower, "production or dev"))
    data_dir: Path = setting("DATA_DIR", Path("./var"), _directory)
    admin_token: str = setting("RAKOR_ADMIN_TOKEN", "", _admin_token)
    log_level: str = setting("LOG_LEVEL", "INFO", _one_of(LOG_LEVELS, str.upper, f"one of {', '.join(LOG_LEVELS)}"))
    log_format: str = setting("LOG_FORMAT", "text", _one_of(("text", "json"), str.lower, "text or json"))  # json: one object per line
    # sms (the provider first: what it needs is checked as soon as it is known)
    sms_gateway_url: str = setting("SMS_GATEWAY_URL", "", _address(*_HTTP))
    sms_provider: str = setting("SMS_PROVIDER", "log", _sms_provider)
    # whatsapp (Business Cloud API) and delivery receipts: "" (no WhatsApp) or "cloud"
    whatsapp_provider: str = setting("WHATSAPP_PROVIDER", "", _whatsapp_provider)
    stream_allowed_hosts: tuple[str, ...] = setting("STREAM_ALLOWED_HOSTS", ("zoom.us", "youtube.com", "youtu.be"), _hosts)
    database_url: str = setting("{SERVICE}_DATABASE_URL", "", _database_url)
    rabbitmq_url: str = setting("RABBITMQ_URL", "amqp://guest:guest@localhost:5672/%2F", _broker_nodes)
    port: int = setting("{SERVICE}_PORT", DEFAULT_PORTS["registration"], _port)  # default: DEFAULT_PORTS of the service
    public_base_url: str = setting("PUBLIC_BASE_URL", "http://localhost:8003", _address(*_HTTP, trailing_slash=False))
    max_body_bytes: int = setting("MAX_BODY_BYTES", 2 * 1024 * 1024, _whole(1024))
    # PostgreSQL, seconds, per transaction
    db_statement_timeout: float = setting("DB_STATEMENT_TIMEOUT", 30.0, _positive)
    db_lock_timeout: float = setting("DB_LOCK_TIMEOUT", 10.0, _positive)
    # False in the API and worker processes when a separate job runs `rakor migrate` before them
    migrate_on_start: bool = setting("MIGRATE_ON_START", True, _flag)
    # "transaction": PostgreSQL is reached through a pooler in transaction mode (PgBouncer
    # pool_mode=transaction), so no connection may rely on session state (see shared.db)
    db_pooler: str = setting("DB_POOLER", "none", _one_of(DB_POOLERS, str.lower, "none or transaction"))
    # days after a meeting's end that its personal data stays in notification and streaming (UU 27/2022)
    retention_days: int = setting("RETENTION_DAYS", 90, _whole(1, 3650))
    # messaging
    retry_delays: tuple[float, ...] = setting("RETRY_DELAYS", (5, 30, 120, 600, 3600), _seconds_list)
    consumer_prefetch: int = setting("CONSUMER_PREFETCH", 32, _whole(1, 10000))
    consumer_concurrency: int = setting("CONSUMER_CONCURRENCY", 4, _whole(1, 256))
    relay_batch_size: int = setting("RELAY_BATCH_SIZE", 1000, _whole(1, 10000))
    relay_poll_interval: float = setting("RELAY_POLL_INTERVAL", 0.02, _positive)
    relay_lease_seconds: float = setting("RELAY_LEASE_SECONDS", 30.0, _positive)
    worker_metrics_port: int = setting("WORKER_METRICS_PORT", 0, _whole(0, 65535))  # 0: relays and consumers serve no /metrics
    # email
    smtp_host: str = setting("SMTP_HOST", "")
    smtp_port: int = setting("SMTP_PORT", 25, _whole(1, 65535))
    smtp_username: str = setting("SMTP_USERNAME", "")
    smtp_password: str = setting("SMTP_PASSWORD", "")
    smtp_tls: str = setting("SMTP_TLS", "none", _smtp_tls)  # starttls | ssl | none (none only in dev)
    smtp_from: str = setting("SMTP_FROM", "Rakor <no-reply@rakor.local>", _text_or_default)
    smtp_timeout: float = setting("SMTP_TIMEOUT", 15.0, _positive)
    smtp_pool_size: int = setting("SMTP_POOL_SIZE", 8, _whole(1, 256))
    # who signs a meeting's mail when the meeting names no organizer of its own
    organizer_name: str = setting("ORGANIZER_NAME", "Rakor", _stripped)
    organizer_unit: str = setting("ORGANIZER_UNIT", "", _stripped)
    sms_api_key: str = setting("SMS_API_KEY", "")
    sms_timeout: float = setting("SMS_TIMEOUT", 10.0, _positive)
    twilio_account_sid: str = setting("TWILIO_ACCOUNT_SID", "")
    twilio_auth_token: str = setting("TWILIO_AUTH_TOKEN", "")
    twilio_from: str = setting("TWILIO_FROM", "")
    twilio_base_url: str = setting("TWILIO_BASE_URL", "https://api.twilio.com", _address(*_HTTP, trailing_slash=False))
    whatsapp_api_url: str = setting("WHATSAPP_API_URL", "https://graph.facebook.com/v20.0", _address(*_HTTP, trailing_slash=False))
    whatsapp_token: str = setting("WHATSAPP_TOKEN", "")
    whatsapp_phone_number_id: str = setting("WHATSAPP_PHONE_NUMBER_ID", "")
    whatsapp_templates: str = setting("WHATSAPP_TEMPLATES", "")  # JSON {kind: {locale: name | {"name", "url_button"}}}
    whatsapp_fallback_minutes: float = setting("WHATSAPP_FALLBACK_MINUTES", 15.0, _positive)
    # the agency contact's digest of what changed for its people: at most one mail per this many minutes
    agency_digest_minutes: int = setting("AGENCY_DIGEST_MINUTES", 60, _whole(1, 7 * 24 * 60))
    # handler threads of a worker sending WhatsApp (each send waits on a round trip)
    whatsapp_concurrency: int = setting("WHATSAPP_CONCURRENCY", 32, _whole(1, 256))
    whatsapp_app_secret: str = setting("WHATSAPP_APP_SECRET", "")
    whatsapp_verify_token: str = setting("WHATSAPP_VERIFY_TOKEN", "")
    sms_webhook_secret: str = setting("SMS_WEBHOOK_SECRET", "")
    # http limits
    agency_rate_limit: int = setting("AGENCY_RATE_LIMIT", 600, _whole(1))  # requests per minute per agency key
    join_rate_limit: int = setting("JOIN_RATE_LIMIT", 60, _whole(0))  # failed lookups per minute per client on /j/{token}; 0: no limit
    join_opens_minutes: int = setting(
        "JOIN_OPENS_MINUTES", 30, _whole(0, 24 * 60)
    )  # a personal link counts as a join from this long before the start
    # redis://… shares budgets between workers and replicas; empty: in memory
    rate_limit_storage_url: str = setting("RATE_LIMIT_STORAGE_URL", "", _address("redis", "rediss"))
    rate_limit_key_prefix: str = setting("RATE_LIMIT_KEY_PREFIX", "rakor", _text_or_default)  # keeps stacks sharing one Redis apart
    trusted_proxies: int = setting("TRUSTED_PROXIES", 0, _whole(0, 10))  # proxies in front of the APIs that append to X-Forwarded-For
    # a bus handler running longer is retried and the worker reported unhealthy
    handler_timeout_seconds: float = setting("HANDLER_TIMEOUT_SECONDS", 300.0, _positive)
    # certificates: the middle of each number (001/<suffix>/2021), and where registration is reached
    # from outside (the verification link /c/{id} printed on a certificate)
    certificate_number_suffix: str = setting("CERTIFICATE_NUMBER_SUFFIX", "SERT/RAKOR", _number_suffix)
    registration_public_url: str = setting("REGISTRATION_PUBLIC_URL", "http://localhost:8001", _address(*_HTTP, trailing_slash=False))

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def smtp_starttls(self) -> bool:
        return self.smtp_tls == "starttls"

    @property
    def sms_log_path(self) -> Path:
        return self.data_dir / "sms.log"


# --- the parsers behind the readers (the console's settings use them too) ------------------------------


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


def mask_url_passwords(text: str) -> str:
    """`text` with the password of every URL in it (amqp://user:secret@host, postgresql://…) replaced by ***."""
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}***@", text)


def _check_smtp_login(settings: Settings) -> None:
    if settings.smtp_username and settings.smtp_tls == "none":
        raise SettingsError("SMTP_USERNAME needs SMTP_TLS=starttls or ssl: the password would cross the network in clear")


def _check_production(settings: Settings) -> None:
    """A production sender never writes mail to files or SMS to a log and counts it sent."""
    if settings.environment != "production" or settings.service != "notification":
        return
    if not settings.smtp_host:
        raise SettingsError("SMTP_HOST is required when RAKOR_ENV=production (mail would only be written to files)")
    if settings.smtp_tls == "none":
        raise SettingsError("SMTP_TLS=none is allowed only with RAKOR_ENV=dev; use starttls or ssl")
    if settings.sms_provider == "log":
        raise SettingsError("SMS_PROVIDER=log is allowed only with RAKOR_ENV=dev; set SMS_GATEWAY_URL or SMS_PROVIDER=twilio")


def _variable(declared: str, service: str) -> str:
    return declared.replace("{SERVICE}", service.upper())


def read_declared(settings_class: type, reading: Reading) -> dict[str, Any]:
    """The value of every setting(...) field of `settings_class`, read in declaration order; SettingsError on the first bad one."""
    for declared in fields(settings_class):
        if "variable" in declared.metadata:
            variable = _variable(declared.metadata["variable"], reading.service)
            reading.values[declared.name] = declared.metadata["read"](reading, variable, declared.default)
    return reading.values


def declared_variables(settings_class: type, service: str) -> frozenset[str]:
    """The variables the setting(...) fields of `settings_class` read for `service`."""
    return frozenset(_variable(f.metadata["variable"], service) for f in fields(settings_class) if "variable" in f.metadata)


def load_settings(service: str, environ: Mapping[str, str] | None = None, *, require_admin_token: bool = True) -> Settings:
    """Build the settings of one process of `service` from the environment; raise SettingsError on the first bad value."""
    if service not in SERVICES:
        raise SettingsError(f"unknown service {service!r}")
    reading = Reading(os.environ if environ is None else environ, service, require_admin_token, {})
    settings = Settings(service=service, **read_declared(Settings, reading))
    _check_smtp_login(settings)
    _check_production(settings)
    return settings


# Every variable load_settings reads (the declared ones, for every service, and those a reader
# consults besides its own); the compose file test checks its environment against this list.
KNOWN_VARIABLES = frozenset().union(*(declared_variables(Settings, service) for service in SERVICES)) | {"DATABASE_URL", "SMTP_STARTTLS"}


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
