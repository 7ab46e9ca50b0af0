"""Every HTTP error as JSON: {"message", "errors"?}; 422 bodies flattened to {"errors": {"field": ["message"]}}."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from flask_smorest import abort
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def abort_json(status: int, message: str, *, errors: dict[str, list[str]] | None = None, **extra: Any):
    """Stop the request with `status` and a JSON body (extra keys such as `existing_id` are kept)."""
    payload: dict[str, Any] = {"message": message}
    if errors:
        payload["errors"] = errors
    payload.update(extra)
    abort(status, **payload)


def _flatten_locations(errors: Any) -> Any:
    # webargs nests messages under the request location ("json", "query", "headers"); the spec's
    # body has the field names at the top, so agencies read errors["email"] directly.
    if not isinstance(errors, dict):
        return {"_body": errors if isinstance(errors, list) else [str(errors)]}
    flat: dict[str, Any] = {}
    for location, messages in errors.items():
        if location in ("json", "query", "form", "headers", "files", "view_args") and isinstance(messages, dict):
            flat.update(messages)
        else:
            flat[location] = messages
    return flat


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        data = getattr(error, "data", None) or {}
        body: dict[str, Any] = {"code": error.code, "status": error.name}
        message = data.get("message") or error.description
        # webargs (schema validation of @blp.arguments) puts its field messages under "messages".
        if "errors" not in data and "messages" in data:
            data = {**data, "errors": data["messages"]}
        if error.code == 422 and "errors" in data:
            body["errors"] = _flatten_locations(data["errors"])
            message = data.get("message") or "The request has invalid fields."
        elif error.code == 413:
            message = f"The request body is larger than {app.config.get('MAX_CONTENT_LENGTH')} bytes."
        elif error.code == 400 and "errors" in data:
            body["errors"] = _flatten_locations(data["errors"])
        body["message"] = message
        for key, value in data.items():
            if key not in ("message", "errors", "headers", "messages", "exc", "schema"):
                body[key] = value
        response = jsonify(body)
        response.status_code = error.code or 500
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def handle_database_down(error: DBAPIError):
        # The database is unreachable or locked: say so with 503 and let the client retry.
        log.error("database unavailable: %s", error.orig)
        response = jsonify({"code": 503, "status": "Service Unavailable", "message": "The database is unavailable; try again shortly."})
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error")
        response = jsonify({"code": 500, "status": "Internal Server Error", "message": "An unexpected error occurred."})
        response.status_code = 500
        return response
