"""Domain errors as types; the API maps each to one HTTP status in services.registration.api.errors."""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused; `message` is written for the person who sent the request."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class Conflict(DomainError):
    """The request clashes with the current state."""


class DuplicateRegistration(Conflict):
    """The same email or NIP is already registered for the meeting; `existing_id` names that registration
    when it is the caller's own (None when another agency registered the person)."""

    def __init__(self, message: str, existing_id: str | None, field: str):
        super().__init__(message, **({"existing_id": existing_id} if existing_id else {}))
        self.existing_id = existing_id
        self.field = field


class RegistrationClosed(Conflict):
    """The meeting's registration_closes_at has passed."""


class AlreadyCancelled(Conflict):
    """A cancelled registration cannot be cancelled or changed again."""


class MeetingCancelled(Conflict):
    """The meeting was called off: it can still be read, but nothing about it can change any more."""


class SeatsExhausted(Conflict):
    """Capacity cannot be lowered below the seats already confirmed."""


class InvalidInput(DomainError):
    """A value is wrong in a way the schema alone cannot see (e.g. ends before starts); `errors` names the fields."""

    def __init__(self, errors: dict[str, list[str]], message: str = "The request has invalid fields."):
        super().__init__(message)
        self.errors = errors


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came with a different request body."""
