"""API schemas of the registration service by resource: strict on input (unknown fields are refused), documented in OpenAPI."""
from services.registration.schemas.common import ATTENDANCE_MODES, ErrorBodySchema, OutSchema, STATUSES
from services.registration.schemas.agencies import (
    AGENCY_KINDS,
    AgencyCreateSchema,
    AgencyCreatedSchema,
    AgencyKeyCreateSchema,
    AgencyKeyCreatedSchema,
    AgencySchema,
    AgencyUpdateSchema,
    MAX_GRACE_SECONDS,
)
from services.registration.schemas.meetings import (
    MIN_ONLINE_DESCRIPTION,
    MeetingCancelSchema,
    MeetingCreateSchema,
    MeetingListQuerySchema,
    MeetingPatchSchema,
    MeetingSchema,
    ORGANIZER_DESCRIPTION,
    OrganizerOutSchema,
    OrganizerSchema,
    ReminderInSchema,
    ReminderOutSchema,
    SeatsSchema,
    VenueOutSchema,
    VenueSchema,
)
from services.registration.schemas.registrations import (
    BulkRequestSchema,
    BulkResponseSchema,
    BulkResultSchema,
    BulkSummarySchema,
    MAX_BULK,
    ParticipantOutSchema,
    RegistrationCreateSchema,
    RegistrationListQuerySchema,
    RegistrationPageSchema,
    RegistrationPatchSchema,
    RegistrationSchema,
)
from services.registration.schemas.door import (
    CheckInResultSchema,
    CheckInSchema,
    CheckInUndoneSchema,
    DoorSummarySchema,
    DoorTokenCreateSchema,
    DoorTokenCreatedSchema,
    DoorTokenSchema,
    LookupMatchSchema,
    LookupQuerySchema,
)
from services.registration.schemas.attendance import (
    AgencyCountsSchema,
    AttendanceQuerySchema,
    AttendanceRowSchema,
    AttendanceSchema,
    CountsSchema,
    StatsSchema,
)
from services.registration.schemas.certificates import CertificateSchema, CertificatesIssuedSchema

__all__ = [
    "ATTENDANCE_MODES", "ErrorBodySchema", "OutSchema", "STATUSES",
    "AGENCY_KINDS", "AgencyCreateSchema", "AgencyCreatedSchema", "AgencyKeyCreateSchema", "AgencyKeyCreatedSchema", "AgencySchema",
    "AgencyUpdateSchema", "MAX_GRACE_SECONDS",
    "MIN_ONLINE_DESCRIPTION", "MeetingCancelSchema", "MeetingCreateSchema", "MeetingListQuerySchema", "MeetingPatchSchema", "MeetingSchema",
    "ORGANIZER_DESCRIPTION", "OrganizerOutSchema", "OrganizerSchema", "ReminderInSchema", "ReminderOutSchema", "SeatsSchema",
    "VenueOutSchema", "VenueSchema",
    "BulkRequestSchema", "BulkResponseSchema", "BulkResultSchema", "BulkSummarySchema", "MAX_BULK", "ParticipantOutSchema",
    "RegistrationCreateSchema", "RegistrationListQuerySchema", "RegistrationPageSchema", "RegistrationPatchSchema", "RegistrationSchema",
    "CheckInResultSchema", "CheckInSchema", "CheckInUndoneSchema", "DoorSummarySchema", "DoorTokenCreateSchema", "DoorTokenCreatedSchema",
    "DoorTokenSchema", "LookupMatchSchema", "LookupQuerySchema",
    "AgencyCountsSchema", "AttendanceQuerySchema", "AttendanceRowSchema", "AttendanceSchema", "CountsSchema", "StatsSchema",
    "CertificateSchema", "CertificatesIssuedSchema",
]
