"""Schemas of the notification API (admin only): list filters, notifications with their attempts, stats."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.notification.domain.delivery import STATUSES
from services.notification.domain.digest import AGENCY_KINDS
from services.notification.domain.messages import CHANNELS, KINDS
from shared.schemas.validators import StrictSchema as _Strict


class NotificationQuerySchema(_Strict):
    registration_id = fields.String(validate=validate.Length(min=1, max=64))
    event_id = fields.String(validate=validate.Length(min=1, max=64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    # Participants' kinds, and the mail to an agency's contact (bulk_summary, agency_digest).
    kind = fields.String(validate=validate.OneOf((*KINDS, *AGENCY_KINDS)))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    cursor = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "next_cursor of the previous page"})


class StatsQuerySchema(_Strict):
    event_id = fields.String(validate=validate.Length(min=1, max=64))


class AttemptSchema(Schema):
    class Meta:
        ordered = True

    number = fields.Integer()
    started_at = fields.DateTime()
    finished_at = fields.DateTime()
    outcome = fields.String(metadata={"description": "sent | transient | permanent"})
    error = fields.String(allow_none=True)
    provider_id = fields.String(allow_none=True)


class NotificationSchema(Schema):
    class Meta:
        ordered = True

    id = fields.String()
    status = fields.String(metadata={"description": "pending | sending | sent | delivered | read | retrying | failed | dead"})
    kind = fields.String()
    channel = fields.String()
    recipient = fields.String()
    locale = fields.String()
    registration_id = fields.String()
    event_id = fields.String()
    source_event_id = fields.String()
    source_event_type = fields.String()
    attempt_count = fields.Integer()
    last_error = fields.String(allow_none=True)
    provider_id = fields.String(allow_none=True)
    segments = fields.Integer(allow_none=True, metadata={"description": "SMS segments billed (SMS only)"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    read_at = fields.DateTime(allow_none=True)


class NotificationDetailSchema(NotificationSchema):
    attempts = fields.List(fields.Nested(AttemptSchema))


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    next_cursor = fields.String(allow_none=True)


class StatsSchema(Schema):
    class Meta:
        ordered = True

    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_channel = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))
    attempts = fields.Integer()
    delivered = fields.Integer(metadata={"description": "notifications the provider reported delivered (receipts)"})
    read = fields.Integer(metadata={"description": "notifications the provider reported read (WhatsApp)"})


class SmsReceiptSchema(_Strict):
    """One delivery report of the generic SMS gateway (documented in the service README)."""

    id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "the id the gateway answered when it accepted the SMS"},
    )
    status = fields.String(required=True, validate=validate.OneOf(("sent", "delivered", "failed")))
    at = fields.AwareDateTime(required=True)
    reason = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))


class ReceiptAnswerSchema(Schema):
    received = fields.Integer(metadata={"description": "statuses in the body"})
    recorded = fields.Integer(metadata={"description": "statuses that changed a notification (replays and stale ones change nothing)"})


class LedgerEntrySchema(Schema):
    class Meta:
        ordered = True

    id = fields.String()
    kind = fields.String()
    channel = fields.String()
    status = fields.String(metadata={"description": "sending | sent | delivered | read | retrying | failed | dead"})
    recipient = fields.String()
    source_event_type = fields.String()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    read_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)


class LedgerSchema(Schema):
    class Meta:
        ordered = True

    registration_id = fields.String()
    items = fields.List(fields.Nested(LedgerEntrySchema))


class LogoSchema(Schema):
    event_id = fields.String()
    content_type = fields.String(metadata={"example": "image/png"})
    size = fields.Function(lambda logo: len(logo.data), metadata={"description": "Bytes."})
    sha256 = fields.String()
    width = fields.Integer(allow_none=True, metadata={"description": "Pixels; null for SVG."})
    height = fields.Integer(allow_none=True)
    updated_at = fields.DateTime()
