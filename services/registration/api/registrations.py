"""Registrations: agencies post participants (single or bulk), read, move between modes and cancel them."""

from __future__ import annotations

import re

from flask import g, jsonify, request
from flask.views import MethodView

from services.registration import operations
from services.registration.api.auth import charge_rows, requires
from services.registration.api.context import sessions
from services.registration.api.docs import errors
from services.registration.operations.idempotency import Key, fingerprint
from services.registration.schemas import (
    BulkRequestSchema,
    BulkResponseSchema,
    RegistrationCreateSchema,
    RegistrationListQuerySchema,
    RegistrationPageSchema,
    RegistrationPatchSchema,
    RegistrationSchema,
)
from shared.web import Blueprint, abort_json

blp = Blueprint("registrations", __name__, url_prefix="/v1", description="Participants registered by their agencies.")


_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,200}")
_KEY_RULE = "Use 1 to 200 visible ASCII characters, e.g. a UUID."
# Read by hand and documented here rather than parsed by a headers schema: on the intake path a
# second webargs pass over every header cost more than the check itself.
IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,200}$"},
    "description": f"Repeat a request safely: the same key with the same body replays the first answer. {_KEY_RULE}",
}


def _key() -> Key | None:
    value = request.headers.get("Idempotency-Key")
    if value is None:
        return None
    if not _KEY_PATTERN.fullmatch(value):
        abort_json(422, "The Idempotency-Key header is invalid.", errors={"Idempotency-Key": [_KEY_RULE]})
    return Key(value, fingerprint(request.method, request.path, request.get_json(silent=True)))


def _reply(reply: operations.Reply):
    response = jsonify(reply.body)
    response.status_code = reply.status
    if reply.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.route("/events/<event_id>/registrations")
class EventRegistrations(MethodView):
    @requires("agency")
    @blp.doc(parameters=[IDEMPOTENCY_HEADER])
    @blp.arguments(RegistrationCreateSchema())
    @blp.response(201, RegistrationSchema)
    @errors(blp, 403, 404, 409, 413, 422)
    def post(self, data, event_id):
        """Register one participant: confirmed (with a check-in code in person) or waitlisted with a position."""
        caller = g.caller
        return _reply(operations.register(sessions(), caller, event_id, data, _key()))

    @requires("any")
    @blp.arguments(RegistrationListQuerySchema(), location="query")
    @blp.response(200, RegistrationPageSchema)
    @errors(blp, 404, 422)
    def get(self, query, event_id):
        """A page of the meeting's registrations in a stable order; an agency sees only its own."""
        caller = g.caller
        items, next_cursor = operations.list_registrations(sessions(), caller, event_id, query)
        return {"items": items, "next_cursor": next_cursor}


@blp.route("/events/<event_id>/registrations/bulk")
class BulkRegistrations(MethodView):
    @requires("agency")
    @blp.doc(parameters=[IDEMPOTENCY_HEADER])
    @blp.arguments(BulkRequestSchema())
    @blp.response(200, BulkResponseSchema)
    @errors(blp, 403, 404, 409, 413, 422)
    def post(self, data, event_id):
        """Register up to 1,000 participants; seats go in list order; one outcome per row."""
        caller = g.caller
        charge_rows(caller, len(data["registrations"]))
        return _reply(operations.bulk_register(sessions(), caller, event_id, data["registrations"], _key()))


@blp.route("/registrations/<registration_id>")
class RegistrationById(MethodView):
    @requires("any")
    @blp.response(200, RegistrationSchema)
    @errors(blp, 404)
    def get(self, registration_id):
        """Read a registration (an agency only its own)."""
        caller = g.caller
        return operations.get_registration(sessions(), caller, registration_id)

    @requires("any")
    @blp.arguments(RegistrationPatchSchema())
    @blp.response(200, RegistrationSchema)
    @errors(blp, 404, 409, 413, 422)
    def patch(self, data, registration_id):
        """Switch attendance mode; a freed seat goes to the head of the waitlist."""
        caller = g.caller
        return operations.change_attendance_mode(sessions(), caller, registration_id, data["attendance_mode"])

    @requires("any")
    @blp.response(200, RegistrationSchema)
    @errors(blp, 404, 409)
    def delete(self, registration_id):
        """Cancel; a freed seat goes to the head of the waitlist in the same transaction."""
        caller = g.caller
        return operations.cancel_registration(sessions(), caller, registration_id)
