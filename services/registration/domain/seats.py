"""In-person seat allocation: confirm while the meeting and the agency have room, else waitlist at the end."""

from __future__ import annotations

from dataclasses import dataclass, field

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
IN_PERSON, ONLINE = "in_person", "online"


@dataclass
class SeatState:
    """The in-person seats of one meeting as seen under its lock; allocate() and release() keep it current."""

    capacity: int
    quota: int | None = None
    taken: int = 0
    taken_by_agency: dict[str, int] = field(default_factory=dict)
    waitlisted: int = 0

    def has_room_for(self, agency_id: str) -> bool:
        """Whether one more confirmed seat for `agency_id` keeps both the capacity and the agency quota."""
        if self.taken >= self.capacity:
            return False
        return self.quota is None or self.taken_by_agency.get(agency_id, 0) < self.quota

    def take(self, agency_id: str) -> None:
        self.taken += 1
        self.taken_by_agency[agency_id] = self.taken_by_agency.get(agency_id, 0) + 1

    def release(self, agency_id: str) -> None:
        """Give back one confirmed seat of `agency_id`."""
        self.taken -= 1
        self.taken_by_agency[agency_id] = self.taken_by_agency.get(agency_id, 1) - 1


@dataclass(frozen=True)
class Allocation:
    """Where a new in-person registration goes: confirmed, or waitlisted at `waitlist_position`."""

    status: str
    waitlist_position: int | None = None


def allocate_seat(state: SeatState, agency_id: str) -> Allocation:
    """Confirm a seat if the meeting and the agency have room, else put the person at the end of the waitlist."""
    if state.has_room_for(agency_id):
        state.take(agency_id)
        return Allocation(CONFIRMED)
    state.waitlisted += 1
    return Allocation(WAITLISTED, state.waitlisted)


def allocate(state: SeatState, agency_id: str, attendance_mode: str) -> Allocation:
    """Online registrations are always confirmed; in-person ones compete for seats."""
    if attendance_mode == ONLINE:
        return Allocation(CONFIRMED)
    return allocate_seat(state, agency_id)
