"""Bus message bodies as the producers publish them."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any


def make_envelope(
    event_type: str, data: dict[str, Any], *, event_id: str | None = None, occurred_at: dt.datetime | None = None, **fields: Any
) -> bytes:
    """A bus message body as a producer would publish it (data already in its JSON form); `fields` replace
    envelope fields as they are (a poison message's version 99, another producer)."""
    body = {
        "id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "version": 1,
        "occurred_at": (occurred_at or dt.datetime.now(dt.UTC)).isoformat(),
        "producer": "streaming" if event_type.startswith("stream.") else "registration",
        "correlation_id": None,
        "data": data,
    }
    body.update(fields)
    return json.dumps(body).encode()
