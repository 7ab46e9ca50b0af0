"""A participant as an agency posts it (strict: unknown fields are rejected) and as it travels on the bus."""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from shared.schemas.validators import EmailField, Line, NipField, PhoneField, RejectsUnstorableText

LOCALES = ("id", "en")


class ParticipantSchema(RejectsUnstorableText, Schema):
    """What an agency sends about one person; reused by the registration API."""

    class Meta:
        unknown = RAISE
        ordered = True

    full_name = Line(required=True, validate=validate.Length(min=2, max=200))
    email = EmailField(required=True, metadata={"example": "rina.wulandari@kominfo.go.id"})
    phone = PhoneField(allow_none=True, load_default=None, metadata={"example": "0812-3456-7890"})
    nip = NipField(allow_none=True, load_default=None, metadata={"example": "198503122010012003"})
    position = Line(allow_none=True, load_default=None, validate=validate.Length(max=200))
    locale = fields.String(load_default="id", validate=validate.OneOf(LOCALES))


class ContactSchema(Schema):
    """The participant data carried in events: what the notification service needs to reach them."""

    class Meta:
        unknown = EXCLUDE

    full_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(allow_none=True, load_default=None)
    locale = fields.String(load_default="id", validate=validate.OneOf(LOCALES))
    nip = fields.String(allow_none=True, load_default=None)
    position = fields.String(allow_none=True, load_default=None)
