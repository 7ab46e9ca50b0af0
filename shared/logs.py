"""Logging for every process: one line per record (text or JSON) with service and correlation id; emails,
phone numbers, API keys, bearer tokens and join-link tokens masked."""

from __future__ import annotations

import logging
import re
import sys

from pythonjsonlogger.json import JsonFormatter

from shared.correlation import get_correlation_id

LOG_FORMATS = ("text", "json")

# \w, not A-Z: the participant schema accepts internationalized addresses (rina@bücher.de).
_EMAIL = re.compile(r"([\w.%+-])[\w.%+-]*@([\w-]+)((?:\.[\w-]+)+)")
# +<country>…, 62 8…, 08… with single spaces or dashes between digits. Only those starts count:
# "any 9+ digits" also hit the asctime of every line (2021-12-01 09…), unix timestamps and ports.
_PHONE = re.compile(r"(?<![\w+-])((?:\+\d|(?:62[ -]?|0)8\d)(?:[ -]?\d){6,14})(?![\w-])")


def mask_email(match: re.Match) -> str:
    return f"{match.group(1)}***@{match.group(2)[:1]}***{match.group(3)}"


def mask_phone(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(1))
    if len(digits) < 9:
        return match.group(0)
    return f"{match.group(1)[:3]}******{digits[-3:]}"


# Agency API keys (rk_…), any bearer credential, and the token of a personal join link (/j/<token>).
_API_KEY = re.compile(r"\brk_[A-Za-z0-9_-]{6,}")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s\"',]+")
_JOIN_TOKEN = re.compile(r"(/j/)[A-Za-z0-9_-]{6,}")


def mask_secrets(text: str) -> str:
    """Mask API keys (rk_***), bearer credentials and join-link tokens in free text."""
    return _JOIN_TOKEN.sub(r"\1<token>", _BEARER.sub(r"\1***", _API_KEY.sub("rk_***", text)))


def mask_personal_data(text: str) -> str:
    """Mask email addresses and phone numbers (budi***@k***.go.id, +62******890), keys and tokens in free text."""
    return _PHONE.sub(mask_phone, _EMAIL.sub(mask_email, mask_secrets(text)))


class MaskingFormatter(logging.Formatter):
    """Formats, then masks: so personal data in arguments and tracebacks is masked as well."""

    def __init__(self, service: str):
        super().__init__("%(asctime)s %(levelname)s " + service + " [%(correlation_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.correlation_id = get_correlation_id() or "-"
        return mask_personal_data(super().format(record))


class JsonMaskingFormatter(JsonFormatter):
    """One JSON object per line (time, level, service, correlation_id, logger, message, exc_info), masked like the text lines.

    The finished line is masked as a whole, so values in `extra` fields and tracebacks are covered too;
    non-ASCII stays as is (an escaped "\\u00fc" would split an address in two for the mask).
    """

    def __init__(self, service: str):
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"service": service},
            json_ensure_ascii=False,
        )

    def format(self, record: logging.LogRecord) -> str:
        record.correlation_id = get_correlation_id()
        return mask_personal_data(super().format(record))

    def add_fields(self, log_record, record, message_dict) -> None:
        super().add_fields(log_record, record, message_dict)
        log_record["correlation_id"] = getattr(record, "correlation_id", None)


def make_formatter(service: str, log_format: str = "text") -> logging.Formatter:
    """The formatter of every handler of `service` (also gunicorn's error log, see deploy/gunicorn.conf.py)."""
    return JsonMaskingFormatter(service) if log_format == "json" else MaskingFormatter(service)


def configure_logging(service: str, level: str = "INFO", log_format: str = "text") -> None:
    """Route every logger through one masked handler on stderr; safe to call more than once."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_rakor", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(make_formatter(service, log_format))
    handler._rakor = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # pika logs every failed connection attempt at ERROR with its stack; the messaging layer already
    # says "broker unavailable, reconnecting" once per attempt in one line.
    logging.getLogger("pika").setLevel(logging.CRITICAL)
    # Migrations run at every start; their step-by-step INFO lines are noise once the schema is at head.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
