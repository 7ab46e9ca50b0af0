"""Errors of the streaming rules; the API maps each to one HTTP status in one place."""

from __future__ import annotations


class StreamingError(Exception):
    """Base of every streaming rule violation."""


class InvalidChannel(StreamingError):
    """A channel's fields are wrong; `errors` maps each field to its messages (answered with 422)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid channel")
        self.errors = errors


class MeetingNotFound(StreamingError):
    """The service knows nothing of this meeting: no event, no registration, no channel (404)."""


class NoChannel(StreamingError):
    """Links cannot be published before the meeting has a Zoom or YouTube channel (409)."""


class MeetingCancelled(StreamingError):
    """The meeting was called off: no links are published for it any more (409)."""


class ReportInvalid(StreamingError):
    """A participant report that cannot be read; `errors` names the rows and columns (answered with 422)."""

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.message, self.errors = message, errors


class TimezoneUnknown(StreamingError):
    """The report's local times cannot be placed: the meeting's zone is not known yet and none was given (422)."""
