"""Request bodies as JSON, refusing what Python's parser would choke on: deep nesting and integers of thousands of digits."""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider

# No body of the API nests more than a few levels (a bulk row's venue is 3); 32 leaves room and
# keeps every later walk of the data (validation, fingerprints, json.dumps) far from the recursion limit.
MAX_DEPTH = 32
# No field takes a number beyond a 64-bit integer (20 digits); Python refuses to convert more than
# 4,300 digits with a ValueError, and anything in between only costs CPU.
MAX_INTEGER_DIGITS = 40


class BodyRefused(ValueError):
    """The body is JSON no client of the API sends; the message says why (a ValueError, so `silent` parsing returns None)."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise BodyRefused(f"Integers may have at most {MAX_INTEGER_DIGITS} digits.")
    return int(text)


def parse_json_body(data: bytes | str) -> Any:
    """Decode and parse a body; raise json.JSONDecodeError for broken JSON and BodyRefused for hostile JSON."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"Bytes decoding error: {exc.reason}", doc="", pos=exc.start) from None
    try:
        value = json.loads(data, parse_int=_bounded_int)
    except RecursionError:
        raise BodyRefused(f"JSON may nest at most {MAX_DEPTH} levels.") from None
    if _depth_exceeds(value, MAX_DEPTH):
        raise BodyRefused(f"JSON may nest at most {MAX_DEPTH} levels.")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class RakorJSONProvider(DefaultJSONProvider):
    """Flask's own request.get_json() goes through the same limits (silent=True then returns None instead of a 500)."""

    def loads(self, s, **kwargs):
        return parse_json_body(s)
