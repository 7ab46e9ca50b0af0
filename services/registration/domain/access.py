"""Who is asking: the organizer (admin token), one agency (its API key) or one meeting's door (a door token)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ADMIN_KIND, AGENCY_KIND, DOOR_KIND = "admin", "agency", "door"


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: the organizer, an agency (`agency_id`) or a door token (`door_event_id`)."""

    agency_id: str | None = None
    agency_name: str | None = None
    door_token_id: str | None = None
    door_event_id: str | None = None

    @property
    def kind(self) -> str:
        if self.agency_id is not None:
            return AGENCY_KIND
        return DOOR_KIND if self.door_token_id is not None else ADMIN_KIND

    @property
    def is_admin(self) -> bool:
        return self.kind == ADMIN_KIND

    @property
    def is_door(self) -> bool:
        return self.kind == DOOR_KIND

    def may_see(self, owner_agency_id: str) -> bool:
        """Agencies see only their own registrations; the organizer sees all."""
        return self.is_admin or owner_agency_id == self.agency_id

    def visible_id(self, record_id: str, owner_agency_id: str) -> str | None:
        """`record_id` when the caller may see that record, else None: a duplicate check must not hand
        one agency the ids of another's registrations."""
        return record_id if self.may_see(owner_agency_id) else None

    def may_work_the_door_of(self, event_id: str) -> bool:
        """The organizer at every door; a door token only at its own meeting's."""
        return self.is_admin or (self.is_door and self.door_event_id == event_id)


ADMIN = Caller()


def credential_is_active(expires_at: dt.datetime | None, revoked_at: dt.datetime | None, now: dt.datetime) -> bool:
    """A door token or agency key works until it is revoked or its expiry has come."""
    return revoked_at is None and (expires_at is None or now < expires_at)
