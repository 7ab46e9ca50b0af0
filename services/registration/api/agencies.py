"""Agencies: the organizer creates them (the API key shown once), lists them, rotates and revokes keys; an agency edits its own contact settings."""

from __future__ import annotations

from flask import g
from flask.views import MethodView

from services.registration import operations
from services.registration.api.auth import requires
from services.registration.api.context import context, sessions
from services.registration.api.docs import errors
from services.registration.schemas import (
    AgencyCreatedSchema,
    AgencyCreateSchema,
    AgencyKeyCreatedSchema,
    AgencyKeyCreateSchema,
    AgencySchema,
    AgencyUpdateSchema,
)
from shared.web import Blueprint

blp = Blueprint("agencies", __name__, url_prefix="/v1/agencies", description="Agencies that post their own participants.")


@blp.route("")
class Agencies(MethodView):
    @requires("admin")
    @blp.arguments(AgencyCreateSchema())
    @blp.response(201, AgencyCreatedSchema)
    @errors(blp, 403, 413, 422)
    def post(self, data):
        """Create an agency; the answer holds its API key, shown only this once."""
        agency, api_key = operations.create_agency(sessions(), data)
        fields = ("id", "name", "kind", "contact_email", "digest_enabled", "locale", "created_at")
        return {**{name: getattr(agency, name) for name in fields}, "api_key": api_key}

    @requires("admin")
    @blp.response(200, AgencySchema(many=True))
    @errors(blp, 403)
    def get(self):
        """List agencies."""
        return operations.list_agencies(sessions())


@blp.route("/<agency_id>")
class AgencyById(MethodView):
    @requires("any")
    @blp.arguments(AgencyUpdateSchema())
    @blp.response(200, AgencySchema)
    @errors(blp, 403, 404, 413, 422)
    def patch(self, data, agency_id):
        """Change the contact's address, language or digest switch: the organizer, or the agency with its own key."""
        return operations.update_agency(sessions(), g.caller, agency_id, data)


@blp.route("/<agency_id>/keys")
class AgencyKeys(MethodView):
    @requires("admin")
    @blp.arguments(AgencyKeyCreateSchema())
    @blp.response(201, AgencyKeyCreatedSchema)
    @errors(blp, 403, 404, 413, 422)
    def post(self, data, agency_id):
        """Rotate: a new key, shown only this once; the previous keys stop after grace_seconds (default 0)."""
        api_key = operations.rotate_agency_key(sessions(), agency_id, data["grace_seconds"])
        context().agency_keys.forget_agency(agency_id)
        return {"api_key": api_key}

    @requires("admin")
    @blp.response(204)
    @errors(blp, 403, 404)
    def delete(self, agency_id):
        """Revoke every key of the agency at once: 401 from then on, on every worker within a second."""
        operations.revoke_agency_keys(sessions(), agency_id)
        context().agency_keys.forget_agency(agency_id)
