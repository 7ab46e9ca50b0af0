"""The registration service's door endpoints, called with the door token exactly as any client would."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

TIMEOUT_SECONDS = 5


class DoorTokenRefused(Exception):
    """401 or 403: the door token is unknown, expired, revoked or not for this meeting."""


class RegistrationUnavailable(Exception):
    """No usable answer (connection refused, timeout, 5xx): worth retrying, nothing was decided."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


class DoorClient:
    """One door token for one meeting; every method raises DoorTokenRefused or RegistrationUnavailable."""

    def __init__(self, base_url: str, event_id: str, token: str, http: requests.Session | None = None) -> None:
        self._events = f"{base_url.rstrip('/')}/v1/events/{quote(event_id, safe='')}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._http = http or requests.Session()

    def summary(self) -> dict[str, int]:
        return self._call("GET", "/check-ins/summary").body

    def check_in(self, *, code: str | None = None, registration_id: str | None = None) -> Answer:
        """200 (checked in now or before), 409 with a reason, 404 or 422 for an unknown code."""
        body = {"code": code} if code is not None else {"registration_id": registration_id}
        return self._call("POST", "/check-ins", json=body, accept=(200, 404, 409, 422))

    def undo(self, registration_id: str) -> Answer:
        return self._call("DELETE", f"/check-ins/{quote(registration_id, safe='')}", accept=(200, 204, 404, 409))

    def lookup(self, query: str) -> list[dict[str, Any]]:
        answer = self._call("GET", "/check-ins/lookup", params={"q": query}, accept=(200, 422))
        return answer.body.get("items", []) if answer.status == 200 else []

    def meeting(self) -> dict[str, Any] | None:
        """The meeting's title and zone when the token may read them (403 otherwise: the page does without)."""
        try:
            return self._call("GET", "", accept=(200,)).body
        except DoorTokenRefused:
            return None

    def _call(self, method: str, path: str, accept: tuple[int, ...] = (200,), **kwargs) -> Answer:
        try:
            response = self._http.request(method, self._events + path, headers=self._headers, timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as exc:
            raise RegistrationUnavailable(type(exc).__name__) from None
        if response.status_code in (401, 403):
            raise DoorTokenRefused(response.status_code)
        if response.status_code not in accept:
            raise RegistrationUnavailable(f"HTTP {response.status_code}")
        try:
            body = response.json() if response.content else {}
        except ValueError:
            raise RegistrationUnavailable("not JSON") from None
        return Answer(response.status_code, body if isinstance(body, dict) else {"items": body})
