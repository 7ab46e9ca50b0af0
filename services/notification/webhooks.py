"""Delivery receipt webhooks: WhatsApp Cloud API statuses and the SMS gateway's delivery reports.

Not behind the admin token: the providers authenticate with an HMAC of the raw body instead. A
missing or wrong signature is 401 before anything is parsed, so nothing changes.
"""

from __future__ import annotations

import json

from flask import Response, request
from flask.views import MethodView
from marshmallow import ValidationError

from services.notification import receipts
from services.notification.domain.messages import SMS, WHATSAPP
from services.notification.domain.receipts import Receipt, signature_valid
from services.notification.domain.whatsapp import parse_status_webhook
from services.notification.schemas import ReceiptAnswerSchema, SmsReceiptSchema
from services.notification.web import state
from shared.web import Blueprint, abort_json, tokens_equal
from shared.web.state import service_settings

blp = Blueprint(
    "webhooks", __name__, url_prefix="/webhooks", description="Delivery receipts posted by the WhatsApp Cloud API and the SMS gateway."
)

_sms_receipts = SmsReceiptSchema(many=True)


def _signed_body(secret: str, header: str) -> bytes:
    body = request.get_data(cache=True)
    if not signature_valid(secret, body, request.headers.get(header)):
        abort_json(401, f"Missing or invalid {header}.")
    return body


def _json_body(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        abort_json(400, "The body is not JSON.", errors={"_body": ["Not valid JSON."]})


def _record(found: list[Receipt], channels: tuple[str, ...]) -> dict:
    app_state = state()
    return {"received": len(found), "recorded": receipts.record_receipts(app_state.session_factory, found, channels)}


@blp.route("/whatsapp")
class WhatsAppWebhook(MethodView):
    @blp.doc(
        security=[],
        parameters=[
            {"in": "query", "name": name, "schema": {"type": "string"}} for name in ("hub.mode", "hub.verify_token", "hub.challenge")
        ],
    )
    @blp.alt_response(200, description="The challenge, as text")
    @blp.alt_response(403, description="Wrong verify token")
    def get(self):
        """Meta's subscription handshake: answers hub.challenge when hub.verify_token matches WHATSAPP_VERIFY_TOKEN."""
        expected = service_settings().whatsapp_verify_token
        given = request.args.get("hub.verify_token", "")
        if request.args.get("hub.mode") != "subscribe" or not expected or not tokens_equal(given, expected):
            abort_json(403, "Verification refused.")
        return Response(request.args.get("hub.challenge", ""), mimetype="text/plain")

    @blp.doc(security=[], parameters=[{"in": "header", "name": "X-Hub-Signature-256", "required": True, "schema": {"type": "string"}}])
    @blp.response(200, ReceiptAnswerSchema)
    @blp.alt_response(401, description="Missing or wrong signature")
    def post(self):
        """Message statuses (sent, delivered, read, failed) signed with WHATSAPP_APP_SECRET."""
        body = _signed_body(service_settings().whatsapp_app_secret, "X-Hub-Signature-256")
        found = parse_status_webhook(_json_body(body))
        return _record(found, (WHATSAPP,))


@blp.route("/sms")
class SmsWebhook(MethodView):
    @blp.doc(security=[], parameters=[{"in": "header", "name": "X-Rakor-Signature", "required": True, "schema": {"type": "string"}}])
    @blp.response(200, ReceiptAnswerSchema)
    @blp.alt_response(401, description="Missing or wrong signature")
    def post(self):
        """Delivery reports of the generic SMS gateway, one object or a list, signed with SMS_WEBHOOK_SECRET."""
        body = _signed_body(service_settings().sms_webhook_secret, "X-Rakor-Signature")
        data = _json_body(body)
        try:
            loaded = _sms_receipts.load(data if isinstance(data, list) else [data])
        except ValidationError as exc:
            errors = exc.messages
            if not isinstance(data, list) and isinstance(errors, dict) and list(errors) == [0]:
                errors = errors[0]  # one report in, its field names out
            abort_json(422, "The request has invalid fields.", errors=errors)
        found = [Receipt(item["id"], item["status"], item["at"], item.get("reason")) for item in loaded]
        return _record(found, (SMS,))
