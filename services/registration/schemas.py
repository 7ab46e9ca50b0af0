"""API schemas of the registration service: strict on input (unknown fields are refused), documented in OpenAPI."""
from __future__ import annotations

import zoneinfo

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from services.registration.domain.door import NOT_CHECKED_IN, REFUSAL_REASONS
from services.registration.domain.meetings import validate_meeting
from shared.schemas.participant import LOCALES, ParticipantSchema
from shared.schemas.validators import EmailField

AGENCY_KINDS = ("ministry", "agency", "province", "regency", "city", "other")
ATTENDANCE_MODES = ("in_person", "online")
STATUSES = ("confirmed", "waitlisted", "cancelled")
MAX_BULK = 1000


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class RejectsNul:
    """No NUL characters anywhere: PostgreSQL cannot store them, and no name or address has one."""

    @pre_load
    def _reject_nul(self, data, **_kwargs):
        if isinstance(data, dict):
            bad = {key: ["Must not contain NUL characters."] for key, value in data.items() if _has_nul(value)}
            if bad:
                raise ValidationError(bad)
        return data


class StrictSchema(RejectsNul, Schema):
    class Meta:
        unknown = RAISE


class OutSchema(Schema):
    """Answers; field order is kept (marshmallow 3.26 preserves declaration order)."""


def validate_timezone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Not a known IANA time zone (e.g. Asia/Jakarta).") from None


# ----- errors (documentation) ------------------------------------------------------------------
class ErrorBodySchema(OutSchema):
    code = fields.Integer(metadata={"example": 409})
    status = fields.String(metadata={"example": "Conflict"})
    message = fields.String(metadata={"example": "This email is already registered for the meeting."})
    # A nested object's fields nest their messages ({"venue": {"name": [...]}}), so values are not always lists.
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"example": {"email": ["Not a valid email address."]}, "description": "Messages per field; a nested object (venue) has an object of its own fields."},
    )
    existing_id = fields.String(metadata={"description": "On a duplicate registration: the id of the registration that exists."})
    reason = fields.String(
        validate=validate.OneOf((*REFUSAL_REASONS, NOT_CHECKED_IN)),
        metadata={"description": "On a refused check-in (or undo): why, for the door page to show."},
    )


# ----- agencies --------------------------------------------------------------------------------
class AgencyCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200), metadata={"example": "Dinas Kominfo Provinsi Jawa Barat"})
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    contact_email = EmailField(required=True, metadata={"example": "humas@jabarprov.go.id"})


class AgencySchema(OutSchema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    contact_email = fields.String()
    created_at = fields.DateTime()


class AgencyCreatedSchema(AgencySchema):
    api_key = fields.String(metadata={"description": "The agency's bearer token. Shown only in this answer; only its hash is stored."})


MAX_GRACE_SECONDS = 30 * 24 * 3600


class AgencyKeyCreateSchema(StrictSchema):
    grace_seconds = fields.Integer(
        load_default=0, strict=True, validate=validate.Range(min=0, max=MAX_GRACE_SECONDS),
        metadata={"description": "How long the agency's previous keys keep working (0: they stop at once)."},
    )


class AgencyKeyCreatedSchema(OutSchema):
    api_key = fields.String(metadata={"description": "The agency's new bearer token. Shown only in this answer; only its hash is stored."})


# ----- meetings --------------------------------------------------------------------------------
class VenueSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300), metadata={"example": "Hotel Aviary Bintaro"})
    address = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata={"example": "Jl. Boulevard Bintaro Jaya Blok B7/A1, Tangerang Selatan"})
    city = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Tangerang Selatan"})
    latitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-90, max=90), metadata={"example": -6.2797, "description": "With longitude: a GEO on in-person calendar entries."})
    longitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-180, max=180), metadata={"example": 106.7107})

    @validates_schema
    def _both_coordinates(self, data, **_kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            missing = "longitude" if data.get("longitude") is None else "latitude"
            raise ValidationError({missing: ["Give latitude and longitude together, or neither."]})


class OrganizerSchema(StrictSchema):
    """Who the meeting's mail comes from: letterhead, From name and signature."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=200), metadata={"example": "Kementerian Komunikasi dan Informatika"})
    unit = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Direktorat Jenderal Informasi dan Komunikasi Publik"})
    signatory_name = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Usman Kansong"})
    signatory_title = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Direktur Jenderal Informasi dan Komunikasi Publik"})


ORGANIZER_DESCRIPTION = "Signs every mail of the meeting; null: the notification service's ORGANIZER_NAME / ORGANIZER_UNIT."


class MeetingCreateSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=300), metadata={"example": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"})
    theme = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    starts_at = fields.AwareDateTime(required=True, metadata={"example": "2021-12-01T09:00:00+07:00"})
    ends_at = fields.AwareDateTime(required=True, metadata={"example": "2021-12-01T16:00:00+07:00"})
    timezone = fields.String(load_default="Asia/Jakarta", validate=validate_timezone)
    venue = fields.Nested(VenueSchema, required=True)
    in_person_capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    agency_in_person_quota = fields.Integer(allow_none=True, load_default=None, strict=True, validate=validate.Range(min=0, max=1_000_000))
    online = fields.Boolean(load_default=True)
    health_protocol = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=5000), metadata={"example": "Peserta wajib sudah divaksin dua kali dan menunjukkan hasil antigen negatif."})
    registration_closes_at = fields.AwareDateTime(allow_none=True, load_default=None)
    organizer = fields.Nested(OrganizerSchema, allow_none=True, load_default=None, metadata={"description": ORGANIZER_DESCRIPTION})

    @validates_schema
    def _consistent(self, data, **_kwargs):
        errors = validate_meeting(data)
        if errors:
            raise ValidationError(errors)


class MeetingPatchSchema(StrictSchema):
    """Any subset of the meeting's fields; the merged meeting is checked like a new one."""

    title = fields.String(validate=validate.Length(min=3, max=300))
    theme = fields.String(allow_none=True, validate=validate.Length(max=2000))
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    timezone = fields.String(validate=validate_timezone)
    venue = fields.Nested(VenueSchema)
    in_person_capacity = fields.Integer(strict=True, validate=validate.Range(min=0, max=1_000_000))
    agency_in_person_quota = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    online = fields.Boolean()
    health_protocol = fields.String(allow_none=True, validate=validate.Length(max=5000))
    registration_closes_at = fields.AwareDateTime(allow_none=True)
    organizer = fields.Nested(OrganizerSchema, allow_none=True, metadata={"description": ORGANIZER_DESCRIPTION})


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
    organizer = fields.Nested(OrganizerOutSchema, allow_none=True, metadata={"description": ORGANIZER_DESCRIPTION})
    sequence = fields.Integer(metadata={"description": "Raised by each change of time or venue (the .ics SEQUENCE)."})
    seats = fields.Nested(SeatsSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


# ----- registrations ---------------------------------------------------------------------------
class RegistrationCreateSchema(RejectsNul, ParticipantSchema):
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
    """Not StrictSchema's NUL check: a bad row is reported in its own result by the row schema."""

    class Meta:
        unknown = RAISE

    # Rows are Raw, not Nested: a bad row is reported in its own result instead of failing the whole request.
    registrations = fields.List(
        fields.Raw(allow_none=True, metadata={"type": "object", "description": "A registration, as for POST /v1/events/{id}/registrations."}),
        required=True,
        validate=validate.Length(min=1, max=MAX_BULK, error=f"Send between 1 and {MAX_BULK} registrations per request."),
        metadata={"description": "Each item as for a single registration; checked one by one."},
    )


class BulkResultSchema(OutSchema):
    index = fields.Integer()
    outcome = fields.String(validate=validate.OneOf(("created", "duplicate", "invalid")))
    registration = fields.Nested(RegistrationSchema)
    existing_id = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class BulkSummarySchema(OutSchema):
    created = fields.Integer()
    duplicate = fields.Integer()
    invalid = fields.Integer()


class BulkResponseSchema(OutSchema):
    results = fields.List(fields.Nested(BulkResultSchema))
    summary = fields.Nested(BulkSummarySchema)


# ----- check-in and attendance -----------------------------------------------------------------
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
    q = fields.String(required=True, validate=validate.Length(min=2, max=200), metadata={"description": "Part of a name, NIP or email, or a check-in code; case-insensitive."})


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
    label = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"example": "Pintu utama 1"})
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


class CountsSchema(OutSchema):
    registered = fields.Integer()
    confirmed = fields.Integer()
    waitlisted = fields.Integer()
    cancelled = fields.Integer()
    in_person_confirmed = fields.Integer()
    checked_in = fields.Integer()
    online_confirmed = fields.Integer()
    joined_online = fields.Integer()
    attended = fields.Integer()


class AgencyCountsSchema(CountsSchema):
    agency_id = fields.String()
    agency_name = fields.String()


class StatsSchema(OutSchema):
    event_id = fields.String()
    seats = fields.Nested(SeatsSchema)
    totals = fields.Nested(CountsSchema)
    agencies = fields.List(fields.Nested(AgencyCountsSchema))


class AttendanceQuerySchema(StrictSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class AttendanceRowSchema(OutSchema):
    registration_id = fields.String()
    agency_id = fields.String()
    agency_name = fields.String()
    full_name = fields.String()
    email = fields.String()
    nip = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    attendance_mode = fields.String()
    status = fields.String()
    checked_in_at = fields.DateTime(allow_none=True)
    online_joined_at = fields.DateTime(allow_none=True)
    online_join_count = fields.Integer()
    attended = fields.Boolean()


class AttendanceSchema(OutSchema):
    event_id = fields.String()
    participants = fields.List(fields.Nested(AttendanceRowSchema))
    agencies = fields.List(fields.Nested(AgencyCountsSchema))
    totals = fields.Nested(CountsSchema)
