"""The envelope every bus message travels in: {id, type, version, occurred_at, producer, correlation_id, data}."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

# Major version of the payload schemas. Consumers accept messages whose version is at most this;
# a producer only bumps it for a change old consumers cannot read (adding a field is not one).
SCHEMA_VERSION = 1


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # tolerant on the bus: a producer may add envelope fields first

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(min=1, max=100))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True)
    producer = fields.String(required=True, validate=validate.OneOf(["registration", "notification", "streaming"]))
    correlation_id = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    data = fields.Dict(keys=fields.String(), required=True)
