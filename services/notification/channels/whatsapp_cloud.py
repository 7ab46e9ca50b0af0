"""WhatsApp through the Business Cloud API: one template message per notification."""

from __future__ import annotations

from services.notification.channels.sms_senders import _json, _post, _session, parse_retry_after
from services.notification.domain.delivery import PermanentFailure, TransientFailure
from services.notification.domain.whatsapp import OUTCOME_TRANSIENT, Template, classify_error, wa_phone


class WhatsAppCloudSender:
    """POST {api}/{phone_number_id}/messages with a bearer token; the message's `wamid` is the provider id.

    The token only ever travels in the Authorization header: it is in no error text and no log line.
    """

    def __init__(self, api_url: str, token: str, phone_number_id: str, *, timeout: float = 10.0, pool_size: int = 8):
        self.url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}"}
        self.timeout = timeout
        self.session = _session(pool_size, self.url)

    def send(self, to: str, template: Template, language: str, body: list[str], button: str | None) -> str:
        components: list[dict] = [{"type": "body", "parameters": [{"type": "text", "text": value} for value in body]}]
        if template.url_button:
            if not button:
                raise PermanentFailure(f"template {template.name} needs the personal link, which this message does not have")
            components.append({"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": button}]})
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": wa_phone(to),
            "type": "template",
            "template": {"name": template.name, "language": {"code": language}, "components": components},
        }
        response = _post(self.session, "WhatsApp", self.url, self.timeout, json=payload, headers=self._headers)
        body_json = _json(response)
        if 200 <= response.status_code < 300:
            messages = body_json.get("messages") or [{}]
            wamid = messages[0].get("id") if isinstance(messages[0], dict) else None
            if not wamid:
                # Accepted without an id: receipts could never be matched, and resending would duplicate.
                raise PermanentFailure("WhatsApp accepted the message without a message id")
            return str(wamid)
        outcome, reason = classify_error(response.status_code, body_json)
        if outcome == OUTCOME_TRANSIENT:
            raise TransientFailure(reason, retry_after=parse_retry_after(response.headers.get("Retry-After")))
        raise PermanentFailure(reason)

    def close(self) -> None:
        self.session.close()
