"""Agencies (organizer only): create one and show its API key once; list them."""
from __future__ import annotations

from flask.views import MethodView

from services.registration import operations
from services.registration.api.auth import requires
from services.registration.api.context import sessions
from services.registration.api.docs import errors
from services.registration.schemas import AgencyCreatedSchema, AgencyCreateSchema, AgencySchema
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
        fields = ("id", "name", "kind", "contact_email", "created_at")
        return {**{name: getattr(agency, name) for name in fields}, "api_key": api_key}

    @requires("admin")
    @blp.response(200, AgencySchema(many=True))
    @errors(blp, 403)
    def get(self):
        """List agencies."""
        return operations.list_agencies(sessions())
