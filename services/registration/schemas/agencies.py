"""Agencies: create, update, their keys."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from services.registration.schemas.common import OutSchema
from shared.schemas.participant import LOCALES
from shared.schemas.validators import EmailField, Line, StrictSchema

AGENCY_KINDS = ("ministry", "agency", "province", "regency", "city", "other")


_DIGEST = (
    "Whether contact_email receives the digest of what changed for the agency's people (at most every "
    "AGENCY_DIGEST_MINUTES) and a summary after each bulk request."
)


class AgencyCreateSchema(StrictSchema):
    name = Line(required=True, validate=validate.Length(min=2, max=200), metadata={"example": "Dinas Kominfo Provinsi Jawa Barat"})
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    contact_email = EmailField(required=True, metadata={"example": "humas@jabarprov.go.id"})
    digest_enabled = fields.Boolean(load_default=True, metadata={"description": _DIGEST})
    locale = fields.String(
        load_default="id", validate=validate.OneOf(LOCALES), metadata={"description": "Language of the mail to the contact."}
    )


class AgencyUpdateSchema(StrictSchema):
    """PATCH /v1/agencies/{id}: only the fields given change."""

    digest_enabled = fields.Boolean(metadata={"description": _DIGEST})
    contact_email = EmailField(metadata={"example": "humas@jabarprov.go.id"})
    locale = fields.String(validate=validate.OneOf(LOCALES), metadata={"description": "Language of the mail to the contact."})

    @validates_schema
    def _something(self, data, **_kwargs):
        if not data:
            raise ValidationError({"_schema": ["Give at least one of digest_enabled, contact_email, locale."]})


class AgencySchema(OutSchema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    contact_email = fields.String()
    digest_enabled = fields.Boolean(metadata={"description": _DIGEST})
    locale = fields.String()
    created_at = fields.DateTime()


class AgencyCreatedSchema(AgencySchema):
    api_key = fields.String(metadata={"description": "The agency's bearer token. Shown only in this answer; only its hash is stored."})


MAX_GRACE_SECONDS = 30 * 24 * 3600


class AgencyKeyCreateSchema(StrictSchema):
    grace_seconds = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=MAX_GRACE_SECONDS),
        metadata={"description": "How long the agency's previous keys keep working (0: they stop at once)."},
    )


class AgencyKeyCreatedSchema(OutSchema):
    api_key = fields.String(metadata={"description": "The agency's new bearer token. Shown only in this answer; only its hash is stored."})
