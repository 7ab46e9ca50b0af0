"""Typed HTTP clients of the three services' public APIs, called with the signed-in organizer's token.

One class per service API. Every call has a timeout; only idempotent reads are retried (a POST that
timed out may have worked, so it is never sent twice). Failures become the exceptions below, which the
console's error handlers turn into pages people understand.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

# Pauses before the second and third try of a read: a service restarting under gunicorn is back within these.
READ_RETRY_DELAYS = (0.2, 0.6)
RETRIED_STATUSES = frozenset({502, 503, 504})


class ServiceError(Exception):
    """A service answered with an error, or did not answer; `service` names it for the page."""

    def __init__(self, service: str, status: int | None = None, body: Any = None):
        super().__init__(f"{service} answered {status}")
        self.service, self.status, self.body = service, status, body if body is not None else {}


class ServiceUnavailable(ServiceError):
    """No answer (connection refused, timeout) or a 5xx: the page says the service cannot be reached."""


class NotSignedIn(ServiceError):
    """401: the token the session holds no longer works (changed or revoked): sign in again."""


class Forbidden(ServiceError):
    """403: the token works but may not do this."""


class NotFound(ServiceError):
    """404: unknown, or not this caller's."""


class Conflict(ServiceError):
    """409: a duplicate or a state that does not allow the change; `body` says which."""


class InvalidInput(ServiceError):
    """422 (or 400): `errors` maps each field to its messages, for the form to show beside the field."""

    @property
    def errors(self) -> dict[str, list[str]]:
        errors = self.body.get("errors") if isinstance(self.body, dict) else None
        return errors if isinstance(errors, dict) else {"_form": [str(self.body.get("message", "invalid"))]}


def _error_for(status: int) -> type[ServiceError]:
    if status >= 500:
        return ServiceUnavailable
    return {401: NotSignedIn, 403: Forbidden, 404: NotFound, 409: Conflict, 400: InvalidInput, 422: InvalidInput}.get(status, ServiceError)


class ServiceClient:
    """The HTTP plumbing shared by the three clients: base URL, bearer token, timeout, read retries, typed errors."""

    service = "service"

    def __init__(self, base_url: str, token: str, *, timeout: float = 5.0, http: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.http = http or requests.Session()

    def __repr__(self) -> str:  # never the token
        return f"{type(self).__name__}({self.base_url!r})"

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        idempotent = method in ("GET", "HEAD", "PUT", "DELETE")
        delays = READ_RETRY_DELAYS if method in ("GET", "HEAD") else ()
        for attempt in range(len(delays) + 1):
            try:
                response = self.http.request(method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs)
            except requests.RequestException:
                if attempt < len(delays) and idempotent:
                    time.sleep(delays[attempt])
                    continue
                raise ServiceUnavailable(self.service) from None
            if response.status_code in RETRIED_STATUSES and attempt < len(delays):
                time.sleep(delays[attempt])
                continue
            if response.status_code >= 400:
                raise _error_for(response.status_code)(self.service, response.status_code, _json_or_empty(response))
            return response
        raise ServiceUnavailable(self.service)  # pragma: no cover - the loop always returns or raises

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise ServiceUnavailable(self.service, response.status_code) from None

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict]:
        """Every item of a cursor-paged list (`{items, next_cursor}`)."""
        cursor = None
        while True:
            page = self._json("GET", path, params={**params, **({"cursor": cursor} if cursor else {})})
            yield from page.get("items", [])
            cursor = page.get("next_cursor")
            if not cursor:
                return


def _json_or_empty(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


class RegistrationClient(ServiceClient):
    """Meetings, agencies, registrations, attendance and door tokens (registration API)."""

    service = "registration"

    def check_admin(self) -> None:
        """Raise NotSignedIn/Forbidden unless the token is the organizer's (GET /v1/agencies is admin only)."""
        self._send("GET", "/v1/agencies")

    def meetings(self) -> list[dict]:
        return self._json("GET", "/v1/events")

    def meeting(self, event_id: str) -> dict:
        return self._json("GET", f"/v1/events/{event_id}")

    def create_meeting(self, body: dict) -> dict:
        return self._json("POST", "/v1/events", json=body)

    def update_meeting(self, event_id: str, changes: dict) -> dict:
        return self._json("PATCH", f"/v1/events/{event_id}", json=changes)

    def cancel_meeting(self, event_id: str, reason: str) -> dict:
        return self._json("POST", f"/v1/events/{event_id}/cancel", json={"reason": reason})

    def registrations(self, event_id: str, **filters: str) -> list[dict]:
        return list(self._pages(f"/v1/events/{event_id}/registrations", {"limit": 500, **filters}))

    def stats(self, event_id: str) -> dict:
        return self._json("GET", f"/v1/events/{event_id}/stats")

    def attendance(self, event_id: str) -> dict:
        return self._json("GET", f"/v1/events/{event_id}/attendance")

    def attendance_document(self, event_id: str, fmt: str) -> requests.Response:
        """The attendance list as registration renders it: ?format=csv, xlsx or pdf (the signed daftar hadir)."""
        return self._send("GET", f"/v1/events/{event_id}/attendance", params={"format": fmt})

    def agencies(self) -> list[dict]:
        return self._json("GET", "/v1/agencies")

    def create_agency(self, body: dict) -> dict:
        return self._json("POST", "/v1/agencies", json=body)

    def rotate_agency_key(self, agency_id: str, grace_seconds: int = 0) -> dict:
        return self._json("POST", f"/v1/agencies/{agency_id}/keys", json={"grace_seconds": grace_seconds} if grace_seconds else {})

    def revoke_agency_keys(self, agency_id: str) -> None:
        self._send("DELETE", f"/v1/agencies/{agency_id}/keys")

    def door_tokens(self, event_id: str) -> list[dict]:
        answer = self._json("GET", f"/v1/events/{event_id}/door-tokens")
        return answer.get("items", []) if isinstance(answer, dict) else answer

    def create_door_token(self, event_id: str, body: dict) -> dict:
        return self._json("POST", f"/v1/events/{event_id}/door-tokens", json=body)

    def revoke_door_token(self, token_id: str) -> None:
        self._send("DELETE", f"/v1/door-tokens/{token_id}")


class NotificationClient(ServiceClient):
    """Notifications by status and channel, and re-sending one (notification API)."""

    service = "notification"

    def notifications(self, event_id: str, **filters: str) -> list[dict]:
        return list(self._pages("/v1/notifications", {"event_id": event_id, "limit": 500, **filters}))

    def stats(self, event_id: str) -> dict:
        return self._json("GET", "/v1/notifications/stats", params={"event_id": event_id})

    def retry(self, notification_id: str) -> dict:
        return self._json("POST", f"/v1/notifications/{notification_id}/retry")

    def ledger(self, registration_id: str) -> dict:
        return self._json("GET", f"/v1/registrations/{quote(registration_id, safe='')}/notifications")


class StreamingClient(ServiceClient):
    """Zoom/YouTube channels, publishing personal links and online joins (streaming API)."""

    service = "streaming"

    def channels(self, event_id: str) -> dict:
        return self._json("GET", f"/v1/events/{event_id}/channels")

    def put_channel(self, event_id: str, kind: str, body: dict) -> dict:
        return self._json("PUT", f"/v1/events/{event_id}/channels/{kind}", json=body)

    def publish(self, event_id: str) -> dict:
        return self._json("POST", f"/v1/events/{event_id}/publish")

    def joins(self, event_id: str) -> dict:
        return self._json("GET", f"/v1/events/{event_id}/joins")

    def import_zoom_report(self, event_id: str, filename: str, content: bytes) -> dict:
        """Zoom's participant report, as exported; streaming matches it by email and sums the minutes.

        Importing the same report twice changes nothing, so a timeout may be answered by sending it again.
        """
        return self._json("POST", f"/v1/events/{event_id}/online-attendance", files={"file": (filename, content, "text/csv")})


@dataclass(frozen=True)
class Services:
    """The three clients for one signed-in person."""

    registration: RegistrationClient
    notification: NotificationClient
    streaming: StreamingClient


def services_for(settings: Any, token: str, http: requests.Session | None = None) -> Services:
    """Clients of every service for `token`, at the URLs and timeout of the console's settings."""
    http = http or requests.Session()
    timeout = settings.http_timeout
    return Services(
        RegistrationClient(settings.registration_url, token, timeout=timeout, http=http),
        NotificationClient(settings.notification_url, token, timeout=timeout, http=http),
        StreamingClient(settings.streaming_url, token, timeout=timeout, http=http),
    )
