"""Meetings: create, change, cancel, list, and the meeting as answered (venue, organizer, reminders, seats)."""

from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from services.registration.domain import reminders as reminder_rules
from services.registration.domain.meetings import validate_meeting
from services.registration.schemas.common import OutSchema
from shared.schemas.events import DEFAULT_CHANNELS, DEFAULT_REMINDERS, MEETING_STATUSES, MESSAGE_CHANNELS
from shared.schemas.validators import Line, StrictSchema, Text, validate_timezone


class VenueSchema(StrictSchema):
    name = Line(required=True, validate=validate.Length(min=1, max=300), metadata={"example": "Hotel Aviary Bintaro"})
    address = Text(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"example": "Jl. Boulevard Bintaro Jaya Blok B7/A1, Tangerang Selatan"},
    )
    city = Line(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Tangerang Selatan"})
    latitude = fields.Float(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=-90, max=90),
        metadata={"example": -6.2797, "description": "With longitude: a GEO on in-person calendar entries."},
    )
    longitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-180, max=180), metadata={"example": 106.7107})

    @validates_schema
    def _both_coordinates(self, data, **_kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            missing = "longitude" if data.get("longitude") is None else "latitude"
            raise ValidationError({missing: ["Give latitude and longitude together, or neither."]})


class ReminderInSchema(StrictSchema):
    before = fields.String(
        required=True,
        metadata={"example": "P1D", "description": "ISO 8601 duration before the start: weeks, days, hours, minutes (P1D, PT1H, P2DT3H)."},
    )
    at = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"example": "09:00", "description": "Local time (HH:MM) of that day in the meeting's zone; needs whole days in `before`."},
    )

    @validates_schema
    def _valid(self, data, **_kwargs):
        try:
            before = reminder_rules.parse_before(data["before"])
        except ValueError as exc:
            raise ValidationError({"before": [str(exc)]}) from None
        try:
            reminder_rules.check_at(before, data.get("at"))
        except ValueError as exc:
            raise ValidationError({"at": [str(exc)]}) from None

    @post_load
    def _normalized(self, data, **_kwargs):
        return reminder_rules.normalized(data)


def _validate_reminders(reminders: list) -> None:
    problems = reminder_rules.list_problems(reminders)
    if problems:
        raise ValidationError(problems)


def _reminders_field(**kwargs) -> fields.List:
    return fields.List(
        fields.Nested(ReminderInSchema),
        validate=_validate_reminders,
        metadata={
            "description": f"When participants are reminded; at most {reminder_rules.MAX_REMINDERS}, no duplicates, [] for none.",
            "example": [dict(r) for r in DEFAULT_REMINDERS],
        },
        **kwargs,
    )


class OrganizerSchema(StrictSchema):
    """Who the meeting's mail comes from: letterhead, From name and signature."""

    name = Line(required=True, validate=validate.Length(min=2, max=200), metadata={"example": "Kementerian Komunikasi dan Informatika"})
    unit = Line(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"example": "Direktorat Jenderal Informasi dan Komunikasi Publik"},
    )
    signatory_name = Line(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Usman Kansong"})
    signatory_title = Line(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"example": "Direktur Jenderal Informasi dan Komunikasi Publik"},
    )


MIN_ONLINE_DESCRIPTION = (
    "Once a Zoom participant report has been imported (streaming), an online participant attended when in it for at least"
    " this many minutes; before any report, opening the personal link counts. Default 0."
)
ORGANIZER_DESCRIPTION = "Signs every mail of the meeting; null: the notification service's ORGANIZER_NAME / ORGANIZER_UNIT."


class MeetingCreateSchema(StrictSchema):
    title = Line(
        required=True,
        validate=validate.Length(min=3, max=300),
        metadata={"example": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"},
    )
    theme = Text(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    starts_at = fields.AwareDateTime(required=True, metadata={"example": "2021-12-01T09:00:00+07:00"})
    ends_at = fields.AwareDateTime(required=True, metadata={"example": "2021-12-01T16:00:00+07:00"})
    timezone = fields.String(load_default="Asia/Jakarta", validate=validate_timezone)
    venue = fields.Nested(VenueSchema, required=True)
    in_person_capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    agency_in_person_quota = fields.Integer(allow_none=True, load_default=None, strict=True, validate=validate.Range(min=0, max=1_000_000))
    online = fields.Boolean(load_default=True)
    health_protocol = Text(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=5000),
        metadata={"example": "Peserta wajib sudah divaksin dua kali dan menunjukkan hasil antigen negatif."},
    )
    registration_closes_at = fields.AwareDateTime(allow_none=True, load_default=None)
    reminders = _reminders_field(load_default=lambda: [reminder_rules.normalized(r) for r in DEFAULT_REMINDERS])
    certificate_hours = fields.Integer(
        allow_none=True,
        load_default=None,
        strict=True,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "Lesson hours (JP) printed on the meeting's certificates; null: none stated."},
    )
    min_online_minutes = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=10_000),
        metadata={"description": MIN_ONLINE_DESCRIPTION, "example": 60},
    )
    channels = fields.List(
        fields.String(validate=validate.OneOf(MESSAGE_CHANNELS)),
        load_default=lambda: list(DEFAULT_CHANNELS),
        metadata={
            "description": "How participants are told, in order; sms_fallback: an SMS only when WhatsApp failed or was not delivered in time.",
            "example": ["email", "whatsapp", "sms_fallback"],
        },
    )
    organizer = fields.Nested(OrganizerSchema, allow_none=True, load_default=None, metadata={"description": ORGANIZER_DESCRIPTION})

    @validates_schema
    def _consistent(self, data, **_kwargs):
        errors = validate_meeting(data)
        if errors:
            raise ValidationError(errors)


class MeetingPatchSchema(StrictSchema):
    """Any subset of the meeting's fields; the merged meeting is checked like a new one."""

    title = Line(validate=validate.Length(min=3, max=300))
    theme = Text(allow_none=True, validate=validate.Length(max=2000))
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    timezone = fields.String(validate=validate_timezone)
    venue = fields.Nested(VenueSchema)
    in_person_capacity = fields.Integer(strict=True, validate=validate.Range(min=0, max=1_000_000))
    agency_in_person_quota = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    online = fields.Boolean()
    health_protocol = Text(allow_none=True, validate=validate.Length(max=5000))
    registration_closes_at = fields.AwareDateTime(allow_none=True)
    reminders = _reminders_field()
    certificate_hours = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=1000))
    min_online_minutes = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=10_000), metadata={"description": MIN_ONLINE_DESCRIPTION}
    )
    channels = fields.List(fields.String(validate=validate.OneOf(MESSAGE_CHANNELS)))
    organizer = fields.Nested(OrganizerSchema, allow_none=True, metadata={"description": ORGANIZER_DESCRIPTION})


class MeetingCancelSchema(StrictSchema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=3, max=2000),
        metadata={"example": "Ditunda karena kebijakan PPKM Level 4; jadwal baru akan diumumkan."},
    )


class MeetingListQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(MEETING_STATUSES))


class SeatsSchema(OutSchema):
    capacity = fields.Integer()
    taken = fields.Integer(metadata={"description": "Confirmed in-person registrations."})
    waitlisted = fields.Integer()


class VenueOutSchema(OutSchema):
    name = fields.String()
    address = fields.String()
    city = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)


class OrganizerOutSchema(OutSchema):
    name = fields.String()
    unit = fields.String(allow_none=True)
    signatory_name = fields.String(allow_none=True)
    signatory_title = fields.String(allow_none=True)


class ReminderOutSchema(OutSchema):
    before = fields.String()
    at = fields.String(allow_none=True)


class MeetingSchema(OutSchema):
    id = fields.String()
    title = fields.String()
    theme = fields.String(allow_none=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    timezone = fields.String()
    venue = fields.Nested(VenueOutSchema)
    in_person_capacity = fields.Integer()
    agency_in_person_quota = fields.Integer(allow_none=True)
    online = fields.Boolean()
    health_protocol = fields.String(allow_none=True)
    registration_closes_at = fields.DateTime(allow_none=True)
    reminders = fields.List(fields.Nested(ReminderOutSchema))
    certificate_hours = fields.Integer(allow_none=True)
    min_online_minutes = fields.Integer(metadata={"description": MIN_ONLINE_DESCRIPTION})
    channels = fields.List(fields.String())
    organizer = fields.Nested(OrganizerOutSchema, allow_none=True, metadata={"description": ORGANIZER_DESCRIPTION})
    sequence = fields.Integer(metadata={"description": "Raised by each change of time or venue (the .ics SEQUENCE)."})
    status = fields.String(
        validate=validate.OneOf(MEETING_STATUSES), metadata={"description": "`cancelled` after POST /v1/events/{id}/cancel; final."}
    )
    cancelled_at = fields.DateTime(allow_none=True)
    cancellation_reason = fields.String(allow_none=True)
    seats = fields.Nested(SeatsSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
