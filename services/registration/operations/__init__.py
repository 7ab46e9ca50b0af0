"""Use cases of the registration service; each opens the one unit of work it needs (used by the API and handlers)."""
from services.registration.operations.agencies import create_agency, find_agency_by_key, list_agencies
from services.registration.operations.attendance import attendance, check_in, record_online_join, stats
from services.registration.operations.meetings import create_meeting, get_meeting, list_meetings, update_meeting
from services.registration.operations.retention import purge_expired
from services.registration.operations.registrations import (
    Reply,
    bulk_register,
    cancel_registration,
    change_attendance_mode,
    get_registration,
    list_registrations,
    register,
)

__all__ = [
    "create_agency", "find_agency_by_key", "list_agencies",
    "attendance", "check_in", "record_online_join", "stats",
    "create_meeting", "get_meeting", "list_meetings", "update_meeting",
    "Reply", "bulk_register", "cancel_registration", "change_attendance_mode", "get_registration",
    "list_registrations", "register", "purge_expired",
]
