"""The one place where domain errors become HTTP answers."""

from __future__ import annotations

from flask import Flask

from services.registration.domain.errors import Conflict, DomainError, Forbidden, IdempotencyKeyReused, InvalidInput, NotFound
from shared.web.errors import Answer, register_error_map


def _answer(status: int, errors=None) -> Answer:
    return Answer(status, message=lambda error: error.message, errors=errors, extra=lambda error: error.details)


ANSWERS = {
    # Any other DomainError clashes with the current state.
    DomainError: _answer(409),
    NotFound: _answer(404),
    Forbidden: _answer(403),
    Conflict: _answer(409),
    InvalidInput: _answer(422, errors=lambda error: error.errors),
    IdempotencyKeyReused: _answer(422, errors=lambda error: {"Idempotency-Key": [error.message]}),
}


def register_domain_errors(app: Flask) -> None:
    register_error_map(app, ANSWERS)
