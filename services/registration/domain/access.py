"""Who is asking: the organizer (admin token) or one agency (its API key), and what each may see."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """The authenticated caller; `agency_id` is None for the organizer."""

    agency_id: str | None = None
    agency_name: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.agency_id is None

    def may_see(self, owner_agency_id: str) -> bool:
        """Agencies see only their own registrations; the organizer sees all."""
        return self.is_admin or owner_agency_id == self.agency_id

    def visible_id(self, record_id: str, owner_agency_id: str) -> str | None:
        """`record_id` when the caller may see that record, else None: a duplicate check must not hand
        one agency the ids of another's registrations."""
        return record_id if self.may_see(owner_agency_id) else None


ADMIN = Caller()
