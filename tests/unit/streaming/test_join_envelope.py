"""The hand-built stream.joined envelope of the join hot path is exactly what the shared schemas produce."""

from __future__ import annotations

import datetime as dt

from services.streaming.join_path import joined_envelope
from shared.messaging.outbox import build_envelope
from shared.schemas.envelope import EnvelopeSchema
from shared.schemas.events import load_payload

AT = dt.datetime(2021, 12, 1, 2, 15, 30, 123456, tzinfo=dt.UTC)


def test_joined_envelope_equals_the_validated_one_except_its_id():
    fast = joined_envelope("reg-1", "evt-1", AT, "zoom")
    slow = build_envelope("streaming", "stream.joined", {"registration_id": "reg-1", "event_id": "evt-1", "at": AT, "channel_kind": "zoom"})
    assert fast["data"] == slow["data"]
    assert {k: v for k, v in fast.items() if k not in ("id", "occurred_at")} == {
        k: v for k, v in slow.items() if k not in ("id", "occurred_at")
    }


def test_joined_envelope_loads_with_the_shared_schemas():
    envelope = EnvelopeSchema().load(joined_envelope("reg-1", "evt-1", AT, None))
    assert load_payload("stream.joined", envelope["data"])["at"] == AT
