"""Who is calling: the organizer's admin token, an agency key or a door token (each looked up by its hash).

Agency keys are rate-limited per agency. A door token opens only its own meeting's door endpoints
(requires("door")); everywhere else it is refused with 403.
"""

from __future__ import annotations

from services.registration.api.context import context
from services.registration.domain.access import ADMIN, Caller
from services.registration.operations import find_agency_by_key, find_door_token
from services.registration.operations.door import DOOR_TOKEN_PREFIX
from shared.web import abort_json, bearer_token
from shared.web.auth import hash_secret, is_admin
from shared.web.auth import requires as requires_caller

_UNAUTHORIZED = {"headers": {"WWW-Authenticate": "Bearer"}}


def _door_caller(token: str) -> Caller:
    access = find_door_token(context().session_factory, hash_secret(token))
    if access is None:
        abort_json(401, "Invalid, revoked or expired door token.", **_UNAUTHORIZED)
    return Caller(door_token_id=access.token_id, door_event_id=access.event_id)


def _agency_caller(token: str) -> Caller:
    ctx = context()
    key_hash = hash_secret(token)
    known = ctx.agency_keys.get(key_hash)
    if known is None:
        known = find_agency_by_key(ctx.session_factory, key_hash)
        if known is None:
            abort_json(401, "Invalid token.", **_UNAUTHORIZED)
        ctx.agency_keys.put(key_hash, known)
    retry_after = ctx.rate_limiter.hit(known.agency_id)
    if retry_after is not None:
        abort_json(429, "Too many requests for this agency key; slow down.", headers={"Retry-After": str(int(retry_after))})
    return Caller(agency_id=known.agency_id, agency_name=known.agency_name)


def identify() -> Caller:
    """401 without a known token; 429 when the agency used up its requests of the minute."""
    token = bearer_token()
    if token is None:
        abort_json(401, "Missing bearer token (Authorization: Bearer <token>).", **_UNAUTHORIZED)
    if is_admin(token):
        return ADMIN
    if token.startswith(DOOR_TOKEN_PREFIX):
        return _door_caller(token)
    return _agency_caller(token)


def authenticate() -> Caller:
    """The organizer or an agency; a door token may call nothing but its meeting's door (403)."""
    caller = identify()
    if caller.is_door:
        abort_json(403, "A door token may only check people in at its own meeting's door.")
    return caller


def charge_rows(caller: Caller, rows: int) -> None:
    """A bulk post counts one unit per row toward the agency's budget (its request paid for the first)."""
    if not caller.is_admin and rows > 1:
        context().rate_limiter.spend_up_to(caller.agency_id, rows - 1)


def admin_only() -> Caller:
    """The organizer only; an agency key is known but not allowed here (403)."""
    caller = authenticate()
    if not caller.is_admin:
        abort_json(403, "Only the organizer may do this.")
    return caller


def agency_only() -> Caller:
    """An agency key only: registrations always belong to the agency that posts them."""
    caller = authenticate()
    if caller.is_admin:
        abort_json(403, "Registrations are posted with an agency's API key, not the organizer's token.")
    return caller


def door_of(event_id: str) -> Caller:
    """The organizer, or a door token of this very meeting."""
    caller = identify()
    if not caller.may_work_the_door_of(event_id):
        abort_json(403, "Only the organizer or a door token of this meeting may do this.")
    return caller


_CHECKS = {
    "admin": requires_caller(lambda **_: admin_only()),
    "agency": requires_caller(lambda **_: agency_only()),
    "any": requires_caller(lambda **_: authenticate()),
    "door": requires_caller(lambda event_id, **_: door_of(event_id)),
}


def requires(who: str):
    """shared.web.requires for registration's callers: the caller is then in flask.g.caller.

    `who` is "admin", "agency", "any" (organizer or agency) or "door" (organizer or a door token of
    the meeting in the URL's event_id).
    """
    return _CHECKS[who]
