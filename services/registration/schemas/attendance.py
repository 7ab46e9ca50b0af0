"""Stats and attendance: counts per meeting and per agency, the attendance list."""

from __future__ import annotations

from marshmallow import fields, validate

from services.registration.schemas.common import OutSchema
from services.registration.schemas.meetings import SeatsSchema
from shared.schemas.validators import StrictSchema


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
    online_minutes = fields.Integer(
        allow_none=True,
        metadata={"description": "Minutes in the Zoom meeting per the imported reports (overlaps once); null: in no report."},
    )
    attended = fields.Boolean(
        metadata={
            "description": "Checked in, or attended online: with a report, online_minutes >= min_online_minutes; without one, joined."
        }
    )


class AttendanceSchema(OutSchema):
    event_id = fields.String()
    online_report = fields.Boolean(
        metadata={"description": "A Zoom participant report has been imported: online attendance is read from it."}
    )
    min_online_minutes = fields.Integer()
    participants = fields.List(fields.Nested(AttendanceRowSchema))
    agencies = fields.List(fields.Nested(AgencyCountsSchema))
    totals = fields.Nested(CountsSchema)
