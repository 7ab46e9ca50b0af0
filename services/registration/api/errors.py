"""The one place where domain errors become HTTP answers."""
from __future__ import annotations

from flask import Flask, jsonify

from services.registration.domain.errors import Conflict, DomainError, Forbidden, IdempotencyKeyReused, InvalidInput, NotFound

STATUS = {NotFound: 404, Forbidden: 403, Conflict: 409, InvalidInput: 422, IdempotencyKeyReused: 422}
NAMES = {403: "Forbidden", 404: "Not Found", 409: "Conflict", 422: "Unprocessable Entity"}


def status_of(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 409


def register_domain_errors(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        status = status_of(error)
        body = {"code": status, "status": NAMES.get(status, ""), "message": error.message}
        if isinstance(error, InvalidInput):
            body["errors"] = error.errors
        elif isinstance(error, IdempotencyKeyReused):
            body["errors"] = {"Idempotency-Key": [error.message]}
        body.update(error.details)
        response = jsonify(body)
        response.status_code = status
        return response
