"""The contract: marshmallow schemas of the event envelope, every event payload, and participants."""

from shared.schemas.envelope import SCHEMA_VERSION, EnvelopeSchema
from shared.schemas.events import EVENT_SCHEMAS, EVENT_TYPES, dump_payload, load_payload
from shared.schemas.participant import ParticipantSchema

__all__ = [
    "EnvelopeSchema",
    "SCHEMA_VERSION",
    "EVENT_SCHEMAS",
    "EVENT_TYPES",
    "load_payload",
    "dump_payload",
    "ParticipantSchema",
]
