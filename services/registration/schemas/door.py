"""At the door: check-in and its undo, look-up, the door's summary and its tokens."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from services.registration.schemas.common import ATTENDANCE_MODES, STATUSES, OutSchema
from shared.schemas.validators import Line, StrictSchema


class CheckInSchema(StrictSchema):
    """Exactly one of `code` (scanned or typed) and `registration_id` (picked from a look-up)."""

    code = fields.String(validate=validate.Length(min=4, max=32), metadata={"example": "K7QX-MP3A"})
    registration_id = fields.String(validate=validate.Length(min=1, max=64))

    @validates_schema
    def _exactly_one(self, data, **_kwargs):
        given = [name for name in ("code", "registration_id") if name in data]
        if not given:
            raise ValidationError({"code": ["Send code or registration_id."], "registration_id": ["Send code or registration_id."]})
        if len(given) == 2:
            raise ValidationError({"registration_id": ["Send either code or registration_id, not both."]})


class CheckInResultSchema(OutSchema):
    registration_id = fields.String()
    checked_in_at = fields.DateTime()
    already_checked_in = fields.Boolean(metadata={"description": "An earlier scan had already checked this person in (at checked_in_at)."})
    full_name = fields.String()
    agency_name = fields.String()
    attendance_mode = fields.String(validate=validate.OneOf(ATTENDANCE_MODES))


class CheckInUndoneSchema(OutSchema):
    registration_id = fields.String()
    checked_in_at = fields.DateTime(allow_none=True, metadata={"description": "Always null after an undo."})
    reverted_at = fields.DateTime()
    reverted_check_in_at = fields.DateTime(metadata={"description": "The check-in time that was undone."})


class LookupQuerySchema(StrictSchema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=2, max=200),
        metadata={"description": "Part of a name, NIP or email, or a check-in code; case-insensitive."},
    )


class LookupMatchSchema(OutSchema):
    registration_id = fields.String()
    full_name = fields.String()
    agency_name = fields.String()
    attendance_mode = fields.String(validate=validate.OneOf(ATTENDANCE_MODES))
    status = fields.String(validate=validate.OneOf(STATUSES))
    checked_in_at = fields.DateTime(allow_none=True)


class DoorSummarySchema(OutSchema):
    checked_in = fields.Integer()
    confirmed_in_person = fields.Integer()


class DoorTokenCreateSchema(StrictSchema):
    label = Line(required=True, validate=validate.Length(min=1, max=100), metadata={"example": "Pintu utama 1"})
    expires_at = fields.AwareDateTime(allow_none=True, load_default=None, metadata={"description": "Default: until revoked."})


class DoorTokenSchema(OutSchema):
    id = fields.String()
    event_id = fields.String()
    label = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    active = fields.Boolean(metadata={"description": "Neither revoked nor expired."})


class DoorTokenCreatedSchema(DoorTokenSchema):
    token = fields.String(metadata={"description": "The door's bearer token (rkd_…). Shown only in this answer; only its hash is stored."})
