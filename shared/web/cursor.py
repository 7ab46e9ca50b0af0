"""The opaque cursor of every paged list: the (created_at, id) of the last item of a page, in base64url JSON."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid


class InvalidCursor(ValueError):
    """The cursor was not made by encode_cursor (answered 422 with errors.cursor by every service)."""

    def __init__(self) -> None:
        super().__init__("Not a cursor returned by this API.")


def encode_cursor(created_at: dt.datetime, item_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), item_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    """The (created_at, id) encode_cursor wrote; InvalidCursor for anything else, forged or garbled."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, item_id = json.loads(base64.urlsafe_b64decode(padded))
        moment = dt.datetime.fromisoformat(created_at)
        uuid.UUID(item_id)
    except (ValueError, TypeError, AttributeError):
        raise InvalidCursor() from None
    # A naive moment would compare wrongly with the stored timezone-aware ones.
    if moment.tzinfo is None:
        raise InvalidCursor()
    return moment, item_id
