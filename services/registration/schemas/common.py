"""What the registration API schemas share: the answer base, the values of a registration, the error body."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.registration.domain.door import NOT_CHECKED_IN, REFUSAL_REASONS

ATTENDANCE_MODES = ("in_person", "online")
STATUSES = ("confirmed", "waitlisted", "cancelled")


class OutSchema(Schema):
    """Answers; field order is kept (marshmallow 3.26 preserves declaration order)."""


# ----- errors (documentation) ------------------------------------------------------------------
class ErrorBodySchema(OutSchema):
    code = fields.Integer(metadata={"example": 409})
    status = fields.String(metadata={"example": "Conflict"})
    message = fields.String(metadata={"example": "This email is already registered for the meeting."})
    # A nested object's fields nest their messages ({"venue": {"name": [...]}}), so values are not always lists.
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={
            "example": {"email": ["Not a valid email address."]},
            "description": "Messages per field; a nested object (venue) has an object of its own fields.",
        },
    )
    existing_id = fields.String(
        metadata={
            "description": "On a duplicate registration of the calling agency's own: the id of the registration that exists (absent when another agency registered the person)."
        }
    )
    reason = fields.String(
        validate=validate.OneOf((*REFUSAL_REASONS, NOT_CHECKED_IN)),
        metadata={"description": "On a refused check-in (or undo): why, for the door page to show."},
    )
