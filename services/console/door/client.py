"""The registration service's door endpoints, called with the door token exactly as any client would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from services.console.clients import Conflict, InvalidInput, NotFound, ServiceClient


@dataclass(frozen=True)
class CheckInAnswer:
    """A 200 body (`person`), or the refusal: `reason` from a 409, None for an unknown code (404/422)."""

    person: dict[str, Any] | None = None
    reason: str | None = None


class DoorClient(ServiceClient):
    """One door token for one meeting. NotSignedIn / Forbidden: the token no longer opens this door;
    ServiceUnavailable: no usable answer, worth retrying (check-in by code is idempotent)."""

    service = "registration"

    def __init__(self, base_url: str, event_id: str, token: str, **kwargs: Any) -> None:
        super().__init__(base_url, token, **kwargs)
        self._event = f"/v1/events/{quote(event_id, safe='')}"

    def summary(self) -> dict[str, int]:
        return self._json("GET", f"{self._event}/check-ins/summary")

    def check_in(self, *, code: str | None = None, registration_id: str | None = None) -> CheckInAnswer:
        body = {"code": code} if code else {"registration_id": registration_id}
        try:
            return CheckInAnswer(person=self._json("POST", f"{self._event}/check-ins", json=body))
        except Conflict as refused:
            return CheckInAnswer(reason=refused.body.get("reason") if isinstance(refused.body, dict) else None)
        except (NotFound, InvalidInput):
            return CheckInAnswer()

    def undo(self, registration_id: str) -> bool:
        """True when the person is (now) not checked in; False for a registration this door does not know."""
        try:
            self._send("DELETE", f"{self._event}/check-ins/{quote(registration_id, safe='')}")
        except Conflict as refused:
            # Not checked in (any more): the undo the staff asked for already holds. Another meeting's: not ours.
            return isinstance(refused.body, dict) and refused.body.get("reason") == "not_checked_in"
        except NotFound:
            return False
        return True

    def lookup(self, query: str) -> list[dict[str, Any]]:
        try:
            found = self._json("GET", f"{self._event}/check-ins/lookup", params={"q": query})
        except InvalidInput:
            return []
        return found if isinstance(found, list) else found.get("items", [])
