"""The two kinds of failure a bus handler can report: the runner retries one and dead-letters the other."""

from __future__ import annotations


class TransientError(Exception):
    """Worth trying again later (a relay answered 4xx/429/5xx, a timeout, a lost connection).

    `retry_after` (seconds) asks for at least that delay, e.g. from an HTTP Retry-After header.
    """

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Will never succeed (the recipient does not exist, the data is unusable): dead-letter at once.

    `reason` becomes the dead letter's x-rakor-reason header (default "permanent").
    """

    def __init__(self, message: str, *, reason: str = "permanent"):
        super().__init__(message)
        self.reason = reason
