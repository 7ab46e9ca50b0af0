"""CSRF tokens bound to the visitor: an HMAC of a per-visitor secret, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac


def csrf_token(secret_key: str, binding: str) -> str:
    """The token every form of this visitor carries; `binding` is the session's CSRF secret (or the anonymous visitor's)."""
    return hmac.new(secret_key.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, binding: str | None, given: str | None) -> bool:
    """Whether `given` is this visitor's token; False without a binding or a token."""
    if not binding or not given:
        return False
    return hmac.compare_digest(csrf_token(secret_key, binding), given)
