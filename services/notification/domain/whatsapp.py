"""WhatsApp Business Cloud API rules: phone format, template choice and parameters, error classes.

Pure: no HTTP here. The sender in `channels/whatsapp_cloud.py` applies these to the API's answers.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from services.notification.domain.receipts import RECEIPT_STATUSES, Receipt

# Error codes the Cloud API documents as worth trying again: throttling (4, 80007, 130429),
# spam rate limit (131048) and pair rate limit (131056).
TRANSIENT_CODES = frozenset({4, 80007, 130429, 131048, 131056})
# The number cannot receive WhatsApp: not a WhatsApp user / undeliverable (131026), not in the
# allowed list (131030), user unavailable (1013).
RECIPIENT_CODES = frozenset({131026, 131030, 1013})
TEMPLATE_CODES = range(132000, 132070)

OUTCOME_TRANSIENT, OUTCOME_PERMANENT = "transient", "permanent"


class TemplateConfigError(ValueError):
    """WHATSAPP_TEMPLATES is not the JSON this module reads; the message says where."""


@dataclass(frozen=True)
class Template:
    """One pre-approved template: its name and whether it ends in a URL button taking the personal link."""

    name: str
    url_button: bool = False


def wa_phone(phone: str) -> str:
    """The API's recipient format: E.164 digits without '+'; a local Indonesian 08… becomes 628…."""
    digits = re.sub(r"\D", "", phone or "")
    if phone.strip().startswith("+"):
        return digits
    if digits.startswith("0"):
        return "62" + digits[1:]
    return digits


def parse_templates(raw: str) -> dict[str, dict[str, Template]]:
    """WHATSAPP_TEMPLATES: {"kind": {"locale": "name" | {"name": ..., "url_button": true}}}."""
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise TemplateConfigError(f"WHATSAPP_TEMPLATES is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateConfigError("WHATSAPP_TEMPLATES must map message kinds to {locale: template}")
    templates: dict[str, dict[str, Template]] = {}
    for kind, by_locale in data.items():
        if not isinstance(by_locale, dict):
            raise TemplateConfigError(f"WHATSAPP_TEMPLATES[{kind!r}] must map locales to templates")
        for locale, spec in by_locale.items():
            if isinstance(spec, str) and spec:
                template = Template(spec)
            elif isinstance(spec, dict) and isinstance(spec.get("name"), str) and spec["name"]:
                template = Template(spec["name"], bool(spec.get("url_button")))
            else:
                raise TemplateConfigError(f"WHATSAPP_TEMPLATES[{kind!r}][{locale!r}] needs a template name")
            templates.setdefault(kind, {})[locale] = template
    return templates


def link_suffix(join_url: str | None) -> str | None:
    """The dynamic part of a URL button: the personal link's path after its host (the template holds the host)."""
    if not join_url:
        return None
    parsed = urlparse(join_url)
    suffix = parsed.path.lstrip("/")
    return suffix + (f"?{parsed.query}" if parsed.query else "") or None


def body_parameters(variables: Mapping[str, Any]) -> list[str]:
    """Positional body parameters, from the same variables as the mail: name, meeting, when, where, and the kind's detail.

    Every template of every kind takes these four first; {{5}} is the kind's own detail (reason,
    waitlist position, check-in code or the link) or "-" so the count never varies.
    """
    participant, meeting, venue = variables["p"], variables["m"], variables.get("venue") or {}
    place = ", ".join(part for part in (venue.get("name"), venue.get("city")) if part) if variables.get("in_person") else "online"
    detail = (
        variables.get("reason")
        or (str(variables["waitlist_position"]) if variables.get("waitlist_position") else None)
        or (participant.get("check_in_code") if variables.get("in_person") else None)
        or variables.get("join_url")
        or "-"
    )
    # The API refuses empty parameters and newlines in them (132000-range errors).
    return [
        " ".join(str(value or "-").split())[:1000]
        for value in (participant["full_name"], meeting["title"], variables["when"], place or "-", detail)
    ]


def classify_error(http_status: int, body: Any) -> tuple[str, str]:
    """(outcome, reason) for a refused request, as the Cloud API documents its errors."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    code = code if isinstance(code, int) else None
    message = " ".join(str(error.get("message") or "").split())[:200]
    details = (
        " ".join(str((error.get("error_data") or {}).get("details") or "").split())[:200]
        if isinstance(error.get("error_data"), dict)
        else ""
    )
    label = f"WhatsApp error {code}" if code is not None else f"WhatsApp answered {http_status}"
    text = " ".join(part for part in (label, message, details) if part)
    if code in TEMPLATE_CODES:
        return OUTCOME_PERMANENT, f"template refused: {text}"
    if code in RECIPIENT_CODES:
        return OUTCOME_PERMANENT, f"number cannot receive WhatsApp: {text}"
    if http_status == 429 or code in TRANSIENT_CODES or http_status >= 500:
        return OUTCOME_TRANSIENT, text
    return OUTCOME_PERMANENT, text


class BadWebhook(ValueError):
    """The webhook body is not Meta's shape; the message names the first bad field."""


def parse_status_webhook(payload: Any) -> list[Receipt]:
    """The message statuses of a Cloud API webhook (entry[].changes[].value.statuses[]).

    Other notifications (incoming messages, template reviews) carry no statuses and give nothing.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("entry", []), list):
        raise BadWebhook("entry: must be a list")
    receipts = []
    for entry in payload.get("entry", []):
        changes = entry.get("changes", []) if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise BadWebhook("entry.changes: must be a list")
        for change in changes:
            value = change.get("value") if isinstance(change, dict) else None
            statuses = value.get("statuses", []) if isinstance(value, dict) else []
            if not isinstance(statuses, list):
                raise BadWebhook("entry.changes.value.statuses: must be a list")
            for status in statuses:
                receipts.append(_receipt(status))
    return receipts


def _receipt(status: Any) -> Receipt:
    if not isinstance(status, dict) or not isinstance(status.get("id"), str) or not status["id"]:
        raise BadWebhook("statuses.id: must be the message id")
    if status.get("status") not in RECEIPT_STATUSES:
        raise BadWebhook(f"statuses.status: must be one of {', '.join(RECEIPT_STATUSES)}")
    try:
        at = dt.datetime.fromtimestamp(int(status.get("timestamp")), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise BadWebhook("statuses.timestamp: must be seconds since the epoch") from None
    reason = None
    errors = status.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        details = first.get("error_data", {}).get("details") if isinstance(first.get("error_data"), dict) else None
        reason = " ".join(str(part) for part in (f"WhatsApp error {first.get('code')}", first.get("title"), details) if part)[:500]
    return Receipt(status["id"][:200], status["status"], at, reason)
