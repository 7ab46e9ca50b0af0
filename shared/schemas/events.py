"""Payload schemas of every event type on the bus. Loading ignores unknown fields (tolerant reader)."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from shared.schemas.checked_dump import compile_dump
from shared.schemas.participant import ContactSchema

ATTENDANCE_MODES = ("in_person", "online")
REGISTRATION_STATUSES = ("confirmed", "waitlisted", "cancelled")
CHANNEL_KINDS = ("zoom", "youtube")
MEETING_STATUSES = ("scheduled", "cancelled")
# The meeting's reminders when the organizer sets none: the day before at 09:00 in the meeting's zone,
# and one hour before the start.
# How a meeting reaches its participants, in order: sms_fallback is an SMS sent only when WhatsApp
# failed or was not delivered in time, so it needs whatsapp before it.
MESSAGE_CHANNELS = ("email", "sms", "whatsapp", "sms_fallback")
DEFAULT_CHANNELS = ("email", "sms")
DEFAULT_REMINDERS = ({"before": "P1D", "at": "09:00"}, {"before": "PT1H"})


class _Payload(Schema):
    class Meta:
        unknown = EXCLUDE
        ordered = True


class VenueSchema(_Payload):
    name = fields.String(required=True)
    address = fields.String(required=True)
    city = fields.String(allow_none=True, load_default=None)
    # Known coordinates put a GEO on in-person calendar entries (maps open at the door, not the district).
    latitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-180, max=180))


class OrganizerSchema(_Payload):
    """Who sends the meeting's mail: the letterhead, the From display name and the signature."""

    name = fields.String(required=True)
    unit = fields.String(allow_none=True, load_default=None)
    signatory_name = fields.String(allow_none=True, load_default=None)
    signatory_title = fields.String(allow_none=True, load_default=None)


class ReminderSchema(_Payload):
    """One reminder: an ISO 8601 duration before the start, optionally moved to a local time of that day."""

    before = fields.String(required=True)
    at = fields.String(allow_none=True, load_default=None)


class MeetingSchema(_Payload):
    """A snapshot of a meeting, as the notification and streaming services need it to write to people."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    theme = fields.String(allow_none=True, load_default=None)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    venue = fields.Nested(VenueSchema, required=True)
    health_protocol = fields.String(allow_none=True, load_default=None)
    online = fields.Boolean(load_default=True)
    # Raised by every change of time or venue; the .ics SEQUENCE of the invitations follows it.
    sequence = fields.Integer(load_default=0, validate=validate.Range(min=0))
    status = fields.String(load_default="scheduled", validate=validate.OneOf(MEETING_STATUSES))
    reminders = fields.List(fields.Nested(ReminderSchema), load_default=lambda: [dict(r) for r in DEFAULT_REMINDERS])
    channels = fields.List(fields.String(validate=validate.OneOf(MESSAGE_CHANNELS)), load_default=lambda: list(DEFAULT_CHANNELS))
    # Absent from producers that predate it: the consumer then signs with its ORGANIZER_* settings.
    organizer = fields.Nested(OrganizerSchema, allow_none=True, load_default=None)


class MeetingChangedSchema(MeetingSchema):
    """event.created / event.updated: the meeting and, for updates, which fields changed."""

    changed_fields = fields.List(fields.String(), load_default=list)


class MeetingCancelledSchema(MeetingSchema):
    """event.cancelled: the meeting as it was when called off, why, and when."""

    reason = fields.String(allow_none=True, load_default=None)
    cancelled_at = fields.AwareDateTime(required=True)


class RegistrationSchema(_Payload):
    """registration.confirmed / registration.promoted."""

    registration_id = fields.String(required=True)
    event_id = fields.String(required=True)
    agency_id = fields.String(required=True)
    agency_name = fields.String(allow_none=True, load_default=None)
    participant = fields.Nested(ContactSchema, required=True)
    attendance_mode = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_MODES))
    status = fields.String(required=True, validate=validate.OneOf(REGISTRATION_STATUSES))
    check_in_code = fields.String(allow_none=True, load_default=None)
    waitlist_position = fields.Integer(allow_none=True, load_default=None)
    meeting = fields.Nested(MeetingSchema, required=True)


class WaitlistedSchema(RegistrationSchema):
    waitlist_position = fields.Integer(required=True, validate=validate.Range(min=1))


class ModeChangedSchema(RegistrationSchema):
    previous_mode = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_MODES))


class CancelledSchema(_Payload):
    registration_id = fields.String(required=True)
    event_id = fields.String(required=True)
    agency_id = fields.String(required=True)
    participant = fields.Nested(ContactSchema, required=True)
    attendance_mode = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_MODES))
    previous_status = fields.String(required=True, validate=validate.OneOf(REGISTRATION_STATUSES))
    meeting = fields.Nested(MeetingSchema, required=True)


class CheckedInSchema(_Payload):
    registration_id = fields.String(required=True)
    event_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    # Whose participant came in (for the agency digest); absent from producers that predate it.
    agency_id = fields.String(allow_none=True, load_default=None)


class CheckInRevertedSchema(_Payload):
    """registration.check_in_reverted: door staff undid a check-in (``at`` is when it was undone)."""

    registration_id = fields.String(required=True)
    event_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    checked_in_at = fields.AwareDateTime(allow_none=True, load_default=None)


class LinkIssuedSchema(_Payload):
    registration_id = fields.String(required=True)
    event_id = fields.String(required=True)
    participant = fields.Nested(ContactSchema, required=True)
    join_url = fields.String(required=True)
    youtube_url = fields.String(allow_none=True, load_default=None)
    # Shown beside the personal link for people who type it into the Zoom app; the passcode never travels.
    zoom_meeting_id = fields.String(allow_none=True, load_default=None)
    channel_kinds = fields.List(fields.String(validate=validate.OneOf(CHANNEL_KINDS)), required=True)
    meeting = fields.Nested(MeetingSchema, allow_none=True, load_default=None)


class LinkRevokedSchema(_Payload):
    registration_id = fields.String(required=True)
    event_id = fields.String(required=True)
    reason = fields.String(allow_none=True, load_default=None)


class JoinedSchema(_Payload):
    registration_id = fields.String(required=True)
    event_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    channel_kind = fields.String(allow_none=True, load_default=None)


PRESENCE_SOURCES = ("zoom_csv", "json")
# A total beyond this (almost two years) is no meeting; the bound keeps a 32-bit column safe from forged totals.
MAX_PRESENCE_MINUTES = 1_000_000


class PresenceRecordedSchema(_Payload):
    """stream.presence_recorded: a registration's total minutes in the Zoom meeting from participant reports.

    Totals only grow (stays are only ever added), so a consumer keeps the largest it has seen.
    """

    registration_id = fields.String(required=True)
    event_id = fields.String(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_PRESENCE_MINUTES))
    source = fields.String(required=True, validate=validate.OneOf(PRESENCE_SOURCES))
    first_join_at = fields.AwareDateTime(allow_none=True, load_default=None)


class CertificateIssuedSchema(_Payload):
    """certificate.issued: what the certificate says (copied at issue) and whom to send it to."""

    certificate_id = fields.String(required=True)
    registration_id = fields.String(required=True)
    event_id = fields.String(required=True)
    agency_id = fields.String(required=True)
    number = fields.String(required=True)
    agency_name = fields.String(required=True)
    meeting_title = fields.String(required=True)
    meeting_date = fields.Date(required=True)
    hours = fields.Integer(allow_none=True, load_default=None)
    verify_url = fields.String(required=True)
    issued_at = fields.AwareDateTime(required=True)
    participant = fields.Nested(ContactSchema, required=True)
    meeting = fields.Nested(MeetingSchema, required=True)


AGENCY_LOCALES = ("id", "en")


class AgencySchema(_Payload):
    """agency.updated: an agency as the mail sent to its contact needs it (sent on create and on every change).

    `updated_at` orders the snapshots: a consumer keeps the newest it has seen, whatever order they arrive in.
    """

    agency_id = fields.String(required=True)
    name = fields.String(required=True)
    contact_email = fields.String(required=True)
    digest_enabled = fields.Boolean(load_default=True)
    locale = fields.String(load_default="id", validate=validate.OneOf(AGENCY_LOCALES))
    updated_at = fields.AwareDateTime(required=True)


class InvalidRowSchema(_Payload):
    """One refused row of a bulk request: its index in the body and the messages per field."""

    row = fields.Integer(required=True, validate=validate.Range(min=0))
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class BulkProcessedSchema(_Payload):
    """agency.bulk_processed: the outcome of one bulk request, for the summary mailed to the agency's contact."""

    request_id = fields.String(required=True)
    agency_id = fields.String(required=True)
    event_id = fields.String(required=True)
    created = fields.Integer(required=True, validate=validate.Range(min=0))
    duplicates = fields.Integer(required=True, validate=validate.Range(min=0))
    invalid = fields.List(fields.Nested(InvalidRowSchema), required=True)
    # The agency as it was when the request ran: its contact and switch travel with the outcome,
    # so the summary does not wait on agency.updated (handled in parallel) to arrive first.
    agency = fields.Nested(AgencySchema, required=True)
    meeting = fields.Nested(MeetingSchema, required=True)


EVENT_SCHEMAS: dict[str, type[Schema]] = {
    "event.created": MeetingChangedSchema,
    "event.updated": MeetingChangedSchema,
    "event.cancelled": MeetingCancelledSchema,
    "registration.confirmed": RegistrationSchema,
    "registration.waitlisted": WaitlistedSchema,
    "registration.promoted": RegistrationSchema,
    "registration.cancelled": CancelledSchema,
    "registration.mode_changed": ModeChangedSchema,
    "registration.checked_in": CheckedInSchema,
    "registration.check_in_reverted": CheckInRevertedSchema,
    "stream.link_issued": LinkIssuedSchema,
    "stream.link_revoked": LinkRevokedSchema,
    "stream.joined": JoinedSchema,
    "stream.presence_recorded": PresenceRecordedSchema,
    "certificate.issued": CertificateIssuedSchema,
    "agency.updated": AgencySchema,
    "agency.bulk_processed": BulkProcessedSchema,
}
EVENT_TYPES = tuple(EVENT_SCHEMAS)
_INSTANCES = {name: schema() for name, schema in EVENT_SCHEMAS.items()}


_CHECKED_DUMPS = {name: compile_dump(schema) for name, schema in _INSTANCES.items()}


def dump_payload(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a producer's payload against its schema and return its JSON form; raise ValidationError if wrong.

    One walk does both for the payloads producers build (checked_dump); only a payload it cannot
    vouch for goes through marshmallow's dump and load, which then convert it or report the error.
    """
    checked = _CHECKED_DUMPS[event_type](data)
    if checked is not None:
        return checked
    schema = _INSTANCES[event_type]
    # load() validates (required fields, choices); dump() turns datetimes into ISO strings.
    try:
        serializable = schema.dump(data)
    except (AttributeError, TypeError, ValueError) as exc:
        # e.g. a datetime given as text: report it like any other wrong payload, not as a crash.
        raise ValidationError(f"{event_type} payload cannot be serialized: {exc}") from None
    schema.load(serializable)
    return serializable


def load_payload(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Load a consumer's payload: unknown fields ignored, datetimes parsed; raise ValidationError if invalid."""
    return _INSTANCES[event_type].load(data)
