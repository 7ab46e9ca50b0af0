"""Logging for every process: one line per record with service and correlation id, emails and phones masked."""
from __future__ import annotations

import logging
import re
import sys

from shared.correlation import get_correlation_id

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


def mask_personal_data(text: str) -> str:
    """Mask email addresses and phone numbers (budi***@k***.go.id, +62******890) in free text."""
    return _PHONE.sub(mask_phone, _EMAIL.sub(mask_email, text))


class MaskingFormatter(logging.Formatter):
    """Formats, then masks: so personal data in arguments and tracebacks is masked as well."""

    def __init__(self, service: str):
        super().__init__("%(asctime)s %(levelname)s " + service + " [%(correlation_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.correlation_id = get_correlation_id() or "-"
        return mask_personal_data(super().format(record))


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route every logger through one masked handler on stderr; safe to call more than once."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_rakor", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter(service))
    handler._rakor = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # pika logs every failed connection attempt at ERROR with its stack; the messaging layer already
    # says "broker unavailable, reconnecting" once per attempt in one line.
    logging.getLogger("pika").setLevel(logging.CRITICAL)
    # Migrations run at every start; their step-by-step INFO lines are noise once the schema is at head.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
