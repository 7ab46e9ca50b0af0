"""What the notification use cases share: the session factory they are given and the errors of a missing notification or participant."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

SessionFactory = Callable[[], Session]


class NotificationNotFound(LookupError):
    """No notification has this id."""


class RegistrationUnknown(NotificationNotFound):
    """Nothing was ever sent to this registration and no contact of it exists."""
