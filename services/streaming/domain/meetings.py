"""What a meeting or registration id may look like (registration issues UUIDs; anything else is unknown)."""

from __future__ import annotations

import re

_EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def is_valid_event_id(event_id: str) -> bool:
    """Up to 64 letters, digits, '-' or '_': longer or odd ids cannot be stored and are treated as unknown."""
    return bool(_EVENT_ID.match(event_id))
