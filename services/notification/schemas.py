"""Schemas of the notification API (admin only): list filters, notifications with their attempts, stats."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.notification.domain.delivery import STATUSES
from services.notification.domain.messages import CHANNELS, KINDS


class _Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class NotificationQuerySchema(_Strict):
    registration_id = fields.String(validate=validate.Length(min=1, max=64))
    event_id = fields.String(validate=validate.Length(min=1, max=64))
    status = fields.String(validate=validate.OneOf(STATUSES))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    kind = fields.String(validate=validate.OneOf(KINDS))
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
    status = fields.String(metadata={"description": "pending | sending | sent | retrying | failed | dead"})
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


class LogoSchema(Schema):
    event_id = fields.String()
    content_type = fields.String(metadata={"example": "image/png"})
    size = fields.Function(lambda logo: len(logo.data), metadata={"description": "Bytes."})
    sha256 = fields.String()
    width = fields.Integer(allow_none=True, metadata={"description": "Pixels; null for SVG."})
    height = fields.Integer(allow_none=True)
    updated_at = fields.DateTime()
