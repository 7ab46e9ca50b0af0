"""OpenAPI documentation of the error answers each endpoint can give."""

from __future__ import annotations

from services.registration.schemas import ErrorBodySchema

DESCRIPTIONS = {
    401: "Missing or invalid bearer token.",
    403: "The token is valid but may not do this.",
    404: "Unknown, or not yours.",
    409: "Conflicts with the current state (duplicate, closed, cancelled).",
    413: "Request body too large.",
    422: 'Invalid input: {"errors": {"field": ["message"]}}.',
    429: "Rate limited; see Retry-After.",
}


def errors(blp, *statuses: int):
    """Decorate a view with alt_response entries for `statuses` (401 and 429 are implied)."""

    def decorate(view):
        for status in sorted({401, 429, *statuses}, reverse=True):
            view = blp.alt_response(status, schema=ErrorBodySchema, description=DESCRIPTIONS[status])(view)
        return view

    return decorate
