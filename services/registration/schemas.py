"""API schemas of the registration service: strict on input (unknown fields are refused), documented in OpenAPI."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from services.registration.domain import reminders as reminder_rules
from services.registration.domain.door import NOT_CHECKED_IN, REFUSAL_REASONS
from services.registration.domain.meetings import validate_meeting
from shared.schemas.events import DEFAULT_CHANNELS, DEFAULT_REMINDERS, MEETING_STATUSES, MESSAGE_CHANNELS
from shared.schemas.participant import LOCALES, ParticipantSchema
from shared.schemas.validators import EmailField, Line, StrictSchema, Text, validate_timezone

AGENCY_KINDS = ("ministry", "agency", "province", "regency", "city", "other")
ATTENDANCE_MODES = ("in_person", "online")
STATUSES = ("confirmed", "waitlisted", "cancelled")
MAX_BULK = 1000


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
        metadata={"example": {"email": ["Not a valid email address."]}, "description": "Messages per field; a nested object (venue) has an object of its own fields."},
    )
    existing_id = fields.String(metadata={"description": "On a duplicate registration of the calling agency's own: the id of the registration that exists (absent when another agency registered the person)."})
    reason = fields.String(
        validate=validate.OneOf((*REFUSAL_REASONS, NOT_CHECKED_IN)),
        metadata={"description": "On a refused check-in (or undo): why, for the door page to show."},
    )


# ----- agencies --------------------------------------------------------------------------------
_DIGEST = (
    "Whether contact_email receives the digest of what changed for the agency's people (at most every "
    "AGENCY_DIGEST_MINUTES) and a summary after each bulk request."
)


class AgencyCreateSchema(StrictSchema):
    name = Line(required=True, validate=validate.Length(min=2, max=200), metadata={"example": "Dinas Kominfo Provinsi Jawa Barat"})
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    contact_email = EmailField(required=True, metadata={"example": "humas@jabarprov.go.id"})
    digest_enabled = fields.Boolean(load_default=True, metadata={"description": _DIGEST})
    locale = fields.String(load_default="id", validate=validate.OneOf(LOCALES), metadata={"description": "Language of the mail to the contact."})


class AgencyUpdateSchema(StrictSchema):
    """PATCH /v1/agencies/{id}: only the fields given change."""

    digest_enabled = fields.Boolean(metadata={"description": _DIGEST})
    contact_email = EmailField(metadata={"example": "humas@jabarprov.go.id"})
    locale = fields.String(validate=validate.OneOf(LOCALES), metadata={"description": "Language of the mail to the contact."})

    @validates_schema
    def _something(self, data, **_kwargs):
        if not data:
            raise ValidationError({"_schema": ["Give at least one of digest_enabled, contact_email, locale."]})


class AgencySchema(OutSchema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    contact_email = fields.String()
    digest_enabled = fields.Boolean(metadata={"description": _DIGEST})
    locale = fields.String()
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
    name = Line(required=True, validate=validate.Length(min=1, max=300), metadata={"example": "Hotel Aviary Bintaro"})
    address = Text(required=True, validate=validate.Length(min=1, max=500), metadata={"example": "Jl. Boulevard Bintaro Jaya Blok B7/A1, Tangerang Selatan"})
    city = Line(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Tangerang Selatan"})
    latitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-90, max=90), metadata={"example": -6.2797, "description": "With longitude: a GEO on in-person calendar entries."})
    longitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-180, max=180), metadata={"example": 106.7107})

    @validates_schema
    def _both_coordinates(self, data, **_kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            missing = "longitude" if data.get("longitude") is None else "latitude"
            raise ValidationError({missing: ["Give latitude and longitude together, or neither."]})


class ReminderInSchema(StrictSchema):
    before = fields.String(required=True, metadata={"example": "P1D", "description": "ISO 8601 duration before the start: weeks, days, hours, minutes (P1D, PT1H, P2DT3H)."})
    at = fields.String(allow_none=True, load_default=None, metadata={"example": "09:00", "description": "Local time (HH:MM) of that day in the meeting's zone; needs whole days in `before`."})

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
    unit = Line(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Direktorat Jenderal Informasi dan Komunikasi Publik"})
    signatory_name = Line(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Usman Kansong"})
    signatory_title = Line(allow_none=True, load_default=None, validate=validate.Length(max=200), metadata={"example": "Direktur Jenderal Informasi dan Komunikasi Publik"})


MIN_ONLINE_DESCRIPTION = (
    "Once a Zoom participant report has been imported (streaming), an online participant attended when in it for at least"
    " this many minutes; before any report, opening the personal link counts. Default 0."
)
ORGANIZER_DESCRIPTION = "Signs every mail of the meeting; null: the notification service's ORGANIZER_NAME / ORGANIZER_UNIT."


class MeetingCreateSchema(StrictSchema):
    title = Line(required=True, validate=validate.Length(min=3, max=300), metadata={"example": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"})
    theme = Text(allow_none=True, load_default=None, validate=validate.Length(max=2000))
    starts_at = fields.AwareDateTime(required=True, metadata={"example": "2021-12-01T09:00:00+07:00"})
    ends_at = fields.AwareDateTime(required=True, metadata={"example": "2021-12-01T16:00:00+07:00"})
    timezone = fields.String(load_default="Asia/Jakarta", validate=validate_timezone)
    venue = fields.Nested(VenueSchema, required=True)
    in_person_capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    agency_in_person_quota = fields.Integer(allow_none=True, load_default=None, strict=True, validate=validate.Range(min=0, max=1_000_000))
    online = fields.Boolean(load_default=True)
    health_protocol = Text(allow_none=True, load_default=None, validate=validate.Length(max=5000), metadata={"example": "Peserta wajib sudah divaksin dua kali dan menunjukkan hasil antigen negatif."})
    registration_closes_at = fields.AwareDateTime(allow_none=True, load_default=None)
    reminders = _reminders_field(load_default=lambda: [reminder_rules.normalized(r) for r in DEFAULT_REMINDERS])
    certificate_hours = fields.Integer(
        allow_none=True, load_default=None, strict=True, validate=validate.Range(min=1, max=1000),
        metadata={"description": "Lesson hours (JP) printed on the meeting's certificates; null: none stated."},
    )
    min_online_minutes = fields.Integer(
        load_default=0, strict=True, validate=validate.Range(min=0, max=10_000),
        metadata={"description": MIN_ONLINE_DESCRIPTION, "example": 60},
    )
    channels = fields.List(
        fields.String(validate=validate.OneOf(MESSAGE_CHANNELS)),
        load_default=lambda: list(DEFAULT_CHANNELS),
        metadata={"description": "How participants are told, in order; sms_fallback: an SMS only when WhatsApp failed or was not delivered in time.", "example": ["email", "whatsapp", "sms_fallback"]},
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
    min_online_minutes = fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000), metadata={"description": MIN_ONLINE_DESCRIPTION})
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
    status = fields.String(validate=validate.OneOf(MEETING_STATUSES), metadata={"description": "`cancelled` after POST /v1/events/{id}/cancel; final."})
    cancelled_at = fields.DateTime(allow_none=True)
    cancellation_reason = fields.String(allow_none=True)
    seats = fields.Nested(SeatsSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


# ----- registrations ---------------------------------------------------------------------------
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
        fields.Raw(allow_none=True, metadata={"type": "object", "description": "A registration, as for POST /v1/events/{id}/registrations."}),
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
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx", "pdf")))


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
    first_join_at = fields.DateTime(allow_none=True, metadata={"description": "Earliest online join: the personal link or a Zoom report."})
    online_joined_at = fields.DateTime(allow_none=True, metadata={"description": "The same as first_join_at (its earlier name)."})
    online_join_count = fields.Integer(metadata={"description": "Times the personal link was opened during the meeting."})
    online_minutes = fields.Integer(allow_none=True, metadata={"description": "Minutes in the Zoom meeting per the imported reports (overlaps once); null: in no report."})
    attended = fields.Boolean(metadata={"description": "Checked in, or attended online: with a report, online_minutes >= min_online_minutes; without one, joined."})


class AttendanceSchema(OutSchema):
    event_id = fields.String()
    online_report = fields.Boolean(metadata={"description": "A Zoom participant report has been imported: online attendance is read from it."})
    min_online_minutes = fields.Integer()
    participants = fields.List(fields.Nested(AttendanceRowSchema))
    agencies = fields.List(fields.Nested(AgencyCountsSchema))
    totals = fields.Nested(CountsSchema)


# ----- certificates ----------------------------------------------------------------------------
class CertificatesIssuedSchema(OutSchema):
    issued = fields.Integer(metadata={"description": "Certificates issued by this request."})
    already_issued = fields.Integer(metadata={"description": "Participants who already had one before this request."})


class CertificateSchema(OutSchema):
    id = fields.String(metadata={"description": "Random and public: the last part of the verification link."})
    number = fields.String(metadata={"example": "001/SERT/RAKOR/2021"})
    registration_id = fields.String()
    agency_id = fields.String()
    full_name = fields.String()
    issued_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    valid = fields.Boolean()
    verify_url = fields.String(metadata={"description": "The public verification page (the certificate's QR code)."})
