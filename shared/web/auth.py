"""Bearer tokens: the organizer's admin token (compared in constant time) and token hashing for stored keys."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from flask import g, request

from shared.web.errors import abort_json
from shared.web.state import service_settings


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def tokens_equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def is_admin(token: str | None) -> bool:
    expected = service_settings().admin_token
    return bool(token and expected and tokens_equal(token, expected))


def require_admin() -> None:
    """401 without a valid token, 403 with a token that is valid but not the organizer's."""
    token = bearer_token()
    if token is None:
        abort_json(401, "Missing bearer token.", headers={"WWW-Authenticate": "Bearer"})
    if not is_admin(token):
        abort_json(401, "Invalid token.", headers={"WWW-Authenticate": "Bearer"})


def requires(authorize: Callable[..., Any]):
    """The one auth decorator of the services: `authorize(**the view's URL arguments)` runs before the
    body is parsed (401/403 come before 422), and what it returns (the caller) is in flask.g.caller.

    Put it above the flask-smorest decorators; functools.wraps keeps their OpenAPI notes.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.caller = authorize(**kwargs)
            return view(*args, **kwargs)

        return wrapper

    return decorate


# The organizer's endpoints of notification and streaming.
organizer_only = requires(lambda **_: require_admin())


def new_secret(prefix: str = "") -> str:
    """A random secret with 256 bits of entropy, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret: enough for random keys and tokens (no password stretching needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()
