"""Registrations: one or a bulk request of them, a change of attendance mode, the list and the registration as answered."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from services.registration.schemas.common import ATTENDANCE_MODES, STATUSES, OutSchema
from shared.schemas.participant import LOCALES, ParticipantSchema
from shared.schemas.validators import StrictSchema

MAX_BULK = 1000


class RegistrationCreateSchema(ParticipantSchema):
    """One participant as an agency posts it."""

    class Meta:
        unknown = RAISE

    attendance_mode = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_MODES))


class ParticipantOutSchema(OutSchema):
    full_name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "E.164"})
    nip = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    locale = fields.String(validate=validate.OneOf(LOCALES))


class RegistrationSchema(OutSchema):
    id = fields.String()
    event_id = fields.String()
    agency_id = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    attendance_mode = fields.String(validate=validate.OneOf(ATTENDANCE_MODES))
    waitlist_position = fields.Integer(allow_none=True)
    check_in_code = fields.String(allow_none=True, metadata={"description": "Confirmed in-person registrations only."})
    participant = fields.Nested(ParticipantOutSchema)
    checked_in_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)


class RegistrationPatchSchema(StrictSchema):
    attendance_mode = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_MODES))


class RegistrationListQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    attendance_mode = fields.String(validate=validate.OneOf(ATTENDANCE_MODES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    cursor = fields.String(validate=validate.Length(max=500), metadata={"description": "next_cursor of the previous page."})


class RegistrationPageSchema(OutSchema):
    items = fields.List(fields.Nested(RegistrationSchema))
    next_cursor = fields.String(allow_none=True)


class BulkRequestSchema(Schema):
    """Not StrictSchema's text check: a bad row is reported in its own result by the row schema."""

    class Meta:
        unknown = RAISE

    # Rows are Raw, not Nested: a bad row is reported in its own result instead of failing the whole request.
    registrations = fields.List(
        fields.Raw(
            allow_none=True, metadata={"type": "object", "description": "A registration, as for POST /v1/events/{id}/registrations."}
        ),
        required=True,
        validate=validate.Length(min=1, max=MAX_BULK, error=f"Send between 1 and {MAX_BULK} registrations per request."),
        metadata={"description": "Each item as for a single registration; checked one by one."},
    )


class BulkResultSchema(OutSchema):
    index = fields.Integer()
    outcome = fields.String(validate=validate.OneOf(("created", "duplicate", "invalid")))
    registration = fields.Nested(RegistrationSchema)
    existing_id = fields.String(metadata={"description": "Only when the existing registration is the calling agency's own."})
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class BulkSummarySchema(OutSchema):
    created = fields.Integer()
    duplicate = fields.Integer()
    invalid = fields.Integer()


class BulkResponseSchema(OutSchema):
    results = fields.List(fields.Nested(BulkResultSchema))
    summary = fields.Nested(BulkSummarySchema)
