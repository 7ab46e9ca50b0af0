"""API schemas of the streaming service (strict: unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import fields, validate

from shared.schemas.validators import StrictSchema as _Strict
from shared.schemas.validators import validate_timezone


class ChannelBodySchema(_Strict):
    """PUT /v1/events/{id}/channels/{kind}: the organizer's Zoom or YouTube details."""

    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"example": "https://us02web.zoom.us/j/81234567890?pwd=UmFrb3JIdW1hczIwMjE"},
    )
    meeting_id = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=32), metadata={"example": "812 3456 7890"})
    passcode = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=64), metadata={"example": "humas21"})


class ChannelSchema(_Strict):
    kind = fields.String(metadata={"enum": ["zoom", "youtube"]})
    url = fields.String()
    meeting_id = fields.String(allow_none=True)
    passcode = fields.String(allow_none=True)
    updated_at = fields.DateTime()


class ChannelsSchema(_Strict):
    event_id = fields.String()
    title = fields.String(allow_none=True, metadata={"description": "null until event.created has been received"})
    published_at = fields.DateTime(allow_none=True)
    channels = fields.List(fields.Nested(ChannelSchema))


class PublishResultSchema(_Strict):
    event_id = fields.String()
    published_at = fields.DateTime()
    issued = fields.Integer(metadata={"description": "links issued by this call"})
    active_links = fields.Integer(metadata={"description": "active personal links of the meeting after this call"})


class JoinRowSchema(_Strict):
    registration_id = fields.String()
    full_name = fields.String(allow_none=True)
    agency_id = fields.String(allow_none=True)
    agency_name = fields.String(allow_none=True)
    first_joined_at = fields.DateTime()
    last_joined_at = fields.DateTime()
    count = fields.Integer()


class JoinsSchema(_Strict):
    event_id = fields.String()
    participants = fields.Integer(metadata={"description": "registrations that joined at least once"})
    total_joins = fields.Integer()
    items = fields.List(fields.Nested(JoinRowSchema))


class PresenceQuerySchema(_Strict):
    """Query of POST /v1/events/{id}/online-attendance."""

    timezone = fields.String(
        load_default=None,
        validate=validate_timezone,
        metadata={
            "description": "IANA zone of the report's times when they carry no offset; default: the meeting's zone.",
            "example": "Asia/Jakarta",
        },
    )


class UnmatchedRowSchema(_Strict):
    row = fields.Integer(metadata={"description": "Line of the CSV file, or position of the JSON row from 1."})
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    reason = fields.String(metadata={"enum": ["no_email", "not_registered", "not_registered_online"]})


class RegistrationPresenceSchema(_Strict):
    registration_id = fields.String()
    full_name = fields.String(allow_none=True)
    minutes = fields.Integer(metadata={"description": "Whole minutes in the meeting over every report imported, overlaps counted once."})
    first_join_at = fields.DateTime()
    changed = fields.Boolean(metadata={"description": "This import changed the total (stream.presence_recorded was sent)."})


class PresenceImportSchema(_Strict):
    event_id = fields.String()
    source = fields.String(metadata={"enum": ["zoom_csv", "json"]})
    rows = fields.Integer(metadata={"description": "Rows read from the report."})
    matched = fields.Integer(metadata={"description": "Rows matched by email to a confirmed online registration."})
    waiting_room = fields.Integer(metadata={"description": "Rows of time in the waiting room: not counted as presence."})
    unmatched = fields.List(fields.Nested(UnmatchedRowSchema))
    registrations = fields.List(fields.Nested(RegistrationPresenceSchema))
