"""Every HTTP error as JSON: {"message", "errors"?}; 422 bodies flattened to {"errors": {"field": ["message"]}}."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify
from flask_smorest import abort
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from shared.web.cursor import InvalidCursor

log = logging.getLogger(__name__)


def abort_json(status: int, message: str, *, errors: dict[str, list[str]] | None = None, **extra: Any):
    """Stop the request with `status` and a JSON body (extra keys such as `existing_id` are kept)."""
    payload: dict[str, Any] = {"message": message}
    if errors:
        payload["errors"] = errors
    payload.update(extra)
    abort(status, **payload)


@dataclass(frozen=True)
class Answer:
    """How one kind of domain error is answered: its status, message, field errors and any further keys.

    `message` is a text or a function of the error (None: the error's own text); `errors` and
    `extra` are functions of the error giving the body's "errors" and further keys.
    """

    status: int
    message: str | Callable[[Exception], str] | None = None
    errors: Callable[[Exception], dict[str, list[str]]] | None = None
    extra: Callable[[Exception], dict[str, Any]] | None = None

    def body(self, error: Exception) -> dict[str, Any]:
        message = self.message(error) if callable(self.message) else self.message
        body: dict[str, Any] = {
            "code": self.status,
            "status": HTTP_STATUS_CODES.get(self.status, ""),
            "message": message if message is not None else str(error),
        }
        if self.errors is not None:
            body["errors"] = self.errors(error)
        if self.extra is not None:
            body.update(self.extra(error))
        return body


def register_error_map(app: Flask, answers: Mapping[type[Exception], Answer]) -> None:
    """The one place where a service's domain errors become HTTP answers: views let them propagate.

    Flask picks the handler of the nearest class in the error's MRO, so a subclass may be answered
    apart from its base.
    """

    def handler(answer: Answer):
        def answer_error(error: Exception):
            response = jsonify(answer.body(error))
            response.status_code = answer.status
            return response

        return answer_error

    for kind, answer in answers.items():
        app.register_error_handler(kind, handler(answer))


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

    register_error_map(app, {InvalidCursor: Answer(422, "The request has invalid fields.", errors=lambda error: {"cursor": [str(error)]})})

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
