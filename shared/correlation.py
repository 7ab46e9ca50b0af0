"""The correlation id of the work in hand: set from the HTTP request or the bus message, read by logs and the outbox."""

from __future__ import annotations

import contextvars
import itertools
import os

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


def get_correlation_id() -> str | None:
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> contextvars.Token:
    return _correlation_id.set(value)


def reset_correlation_id(token: contextvars.Token) -> None:
    _correlation_id.reset(token)


class _IdSource:
    """32 hex digits: a random prefix per process, then a counter.

    Correlation ids need to be unique, not secret; a uuid4 per request (a urandom call and a UUID
    object) was a visible share of the smallest requests. After a fork the child takes a new prefix,
    so gunicorn workers never hand out the same id.
    """

    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self.prefix = os.urandom(10).hex()
        self.counter = itertools.count()

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter) & 0xFFFFFFFFFFFF:012x}"


_ids = _IdSource()
os.register_at_fork(after_in_child=_ids.reseed)


def new_correlation_id() -> str:
    return _ids.next()
