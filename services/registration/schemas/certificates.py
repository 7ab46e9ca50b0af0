"""Certificates: what an issue request did and the certificate as listed."""

from __future__ import annotations

from marshmallow import fields

from services.registration.schemas.common import OutSchema


class CertificatesIssuedSchema(OutSchema):
    issued = fields.Integer(metadata={"description": "Certificates issued by this request."})
    already_issued = fields.Integer(metadata={"description": "Participants who already had one before this request."})


class CertificateSchema(OutSchema):
    id = fields.String(metadata={"description": "Random and public: the last part of the verification link."})
    number = fields.String(metadata={"example": "001/SERT/RAKOR/2021"})
    registration_id = fields.String()
    agency_id = fields.String()
    full_name = fields.String()
    issued_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    valid = fields.Boolean()
    verify_url = fields.String(metadata={"description": "The public verification page (the certificate's QR code)."})
