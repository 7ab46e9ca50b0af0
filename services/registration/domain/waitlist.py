"""Waitlist order: who gets a freed seat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.registration.domain.seats import SeatState


@dataclass(frozen=True)
class WaitlistEntry:
    registration_id: str
    agency_id: str
    position: int


def promotions(state: SeatState, waitlist: Sequence[WaitlistEntry]) -> list[WaitlistEntry]:
    """The waitlisted people who get a seat now, first come first served.

    Someone whose agency has used up its quota is passed over (keeping their place) so a seat is
    never left empty while a person of another agency waits. `state` is updated for each promotion.
    """
    promoted: list[WaitlistEntry] = []
    for entry in sorted(waitlist, key=lambda e: e.position):
        if state.taken >= state.capacity:
            break
        if state.has_room_for(entry.agency_id):
            state.take(entry.agency_id)
            state.waitlisted -= 1
            promoted.append(entry)
    return promoted
