"""Who is calling: the organizer's admin token or an agency key (looked up by its hash), rate-limited per agency."""
from __future__ import annotations

import functools

from flask import g

from services.registration.api.context import context
from services.registration.domain.access import ADMIN, Caller
from services.registration.operations import find_agency_by_key
from shared.web import abort_json, bearer_token
from shared.web.auth import hash_secret, is_admin

_UNAUTHORIZED = {"headers": {"WWW-Authenticate": "Bearer"}}


def authenticate() -> Caller:
    """401 without a known token; 429 when the agency used up its requests of the minute."""
    token = bearer_token()
    if token is None:
        abort_json(401, "Missing bearer token (Authorization: Bearer <token>).", **_UNAUTHORIZED)
    if is_admin(token):
        return ADMIN
    ctx = context()
    key_hash = hash_secret(token)
    known = ctx.agency_keys.get(key_hash)
    if known is None:
        agency = find_agency_by_key(ctx.session_factory, token)
        if agency is None:
            abort_json(401, "Invalid token.", **_UNAUTHORIZED)
        known = (agency.id, agency.name)
        ctx.agency_keys.put(key_hash, *known)
    retry_after = ctx.rate_limiter.hit(known[0])
    if retry_after is not None:
        abort_json(429, "Too many requests for this agency key; slow down.", headers={"Retry-After": str(int(retry_after))})
    return Caller(agency_id=known[0], agency_name=known[1])


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


_CHECKS = {"admin": admin_only, "agency": agency_only, "any": authenticate}


def requires(who: str):
    """Authorize before the body is parsed (401/403 come before 422); the caller is then in flask.g.caller.

    Put it above the flask-smorest decorators; functools.wraps keeps their OpenAPI notes.
    """
    check = _CHECKS[who]

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.caller = check()
            return view(*args, **kwargs)

        return wrapper

    return decorate
