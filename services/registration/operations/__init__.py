"""Use cases of the registration service; each opens the one unit of work it needs (used by the API and handlers)."""

from services.registration.operations.agencies import (
    KnownKey,
    create_agency,
    find_agency_by_key,
    list_agencies,
    revoke_agency_keys,
    rotate_agency_key,
    update_agency,
)
from services.registration.operations.attendance import attendance, attendance_document, record_online_join, record_online_presence, stats
from services.registration.operations.certificates import issue_certificates, list_certificates, revoke_certificate, verify_certificate
from services.registration.operations.door import (
    DoorAccess,
    check_in,
    create_door_token,
    find_door_token,
    list_door_tokens,
    lookup,
    revoke_door_token,
    summary,
    undo_check_in,
)
from services.registration.operations.meetings import cancel_meeting, create_meeting, get_meeting, list_meetings, update_meeting
from services.registration.operations.registrations import (
    Reply,
    bulk_register,
    cancel_registration,
    change_attendance_mode,
    get_registration,
    list_registrations,
    register,
)
from services.registration.operations.retention import purge_expired

__all__ = [
    "KnownKey",
    "create_agency",
    "find_agency_by_key",
    "list_agencies",
    "revoke_agency_keys",
    "rotate_agency_key",
    "update_agency",
    "attendance",
    "attendance_document",
    "record_online_join",
    "record_online_presence",
    "stats",
    "issue_certificates",
    "list_certificates",
    "revoke_certificate",
    "verify_certificate",
    "DoorAccess",
    "check_in",
    "create_door_token",
    "find_door_token",
    "list_door_tokens",
    "lookup",
    "revoke_door_token",
    "summary",
    "undo_check_in",
    "cancel_meeting",
    "create_meeting",
    "get_meeting",
    "list_meetings",
    "update_meeting",
    "Reply",
    "bulk_register",
    "cancel_registration",
    "change_attendance_mode",
    "get_registration",
    "list_registrations",
    "register",
    "purge_expired",
]
