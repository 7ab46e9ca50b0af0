"""A payload's JSON form and its validation in one pass, read off the marshmallow schema that defines it.

A producer's payload used to be dumped (datetimes to ISO text) and then loaded again only to be
validated: two walks over some forty fields for every event, on the intake path while the meeting's
seats are locked. `compile_dump(schema)` walks the schema once, at import, and returns a function
that produces the dump and checks what load would check (required, null, type, the field's
validators) in a single walk of the payload.

It decides only what it can decide exactly: plain values of the field's own type. Anything else (a
missing required field, a wrong type, a failing validator, a value the dump would have to convert)
makes it answer None, and the caller falls back to marshmallow's dump-then-load, which then gives the
usual error or the usual conversion. Field kinds or options it does not know make the whole schema
fall back, so a new field type can never be let through unchecked.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields
from marshmallow.utils import missing


class _Undecided(Exception):
    """The fast walk cannot vouch for this payload: marshmallow must judge it."""


Dump = Callable[[Any], Any]


def _string(value: Any) -> Any:
    if type(value) is not str:
        raise _Undecided
    return value


def _integer(value: Any) -> Any:
    if type(value) is not int:
        raise _Undecided
    return value


def _float(value: Any) -> Any:
    # load refuses NaN and infinities (allow_nan unset); an int is dumped as a float.
    if type(value) not in (float, int) or not math.isfinite(value):
        raise _Undecided
    return float(value)


def _boolean(value: Any) -> Any:
    if type(value) is not bool:
        raise _Undecided
    return value


def _aware_datetime(value: Any) -> Any:
    if type(value) is not dt.datetime or value.utcoffset() is None:
        raise _Undecided
    return value.isoformat()


def _date(value: Any) -> Any:
    if type(value) is not dt.date:
        raise _Undecided
    return value.isoformat()


# Exact classes only: a subclass (the API's Line, EmailField, …) may check more than its base.
_SCALARS: dict[type, Dump] = {
    fields.String: _string,
    fields.Integer: _integer,
    fields.Float: _float,
    fields.Boolean: _boolean,
    fields.AwareDateTime: _aware_datetime,
    fields.Date: _date,
}


def _plain(field: fields.Field) -> bool:
    """The field is dumped and loaded under its own name, with no default or direction of its own."""
    return (
        field.data_key is None
        and field.attribute is None
        and field.dump_default is missing
        and not field.load_only
        and not field.dump_only
        and getattr(field, "format", None) in (None, "iso")
        and not (isinstance(field, fields.Number) and field.as_string)
    )


def _compile_field(field: fields.Field) -> Dump | None:
    if not _plain(field):
        return None
    kind = type(field)
    validators = tuple(field.validators)
    if kind in _SCALARS:
        convert = _SCALARS[kind]
    elif kind is fields.Nested:
        if field.many or field.only or field.exclude or validators:
            return None
        convert = _compile_schema_walk(field.schema)
    elif kind is fields.List:
        if validators:
            return None  # a list validator sees the loaded items, which the dump does not hold
        inner = _compile_field(field.inner)
        if inner is None:
            return None
        convert = _list_of(inner)
    else:
        return None
    if convert is None:
        return None
    allow_none = field.allow_none

    def dump(value: Any) -> Any:
        if value is None:
            if not allow_none:
                raise _Undecided
            return None
        out = convert(value)
        for validator in validators:
            try:
                # A validator sees the loaded value: the text or number itself, a float as a float.
                validator(out if kind is fields.Float else value)
            except ValidationError:
                raise _Undecided from None
        return out

    return dump


def _list_of(inner: Dump) -> Dump:
    def dump(value: Any) -> Any:
        if type(value) not in (list, tuple):
            raise _Undecided
        return [inner(item) for item in value]

    return dump


def _compile_schema_walk(schema: Schema) -> Dump | None:
    if any(schema._hooks.values()) or set(schema.load_fields) != set(schema.dump_fields):
        return None  # schema-level validators or one-way fields: only marshmallow knows
    plan = []
    for name, field in schema.dump_fields.items():
        dump = _compile_field(field)
        if dump is None:
            return None
        plan.append((name, dump, field.required))

    def walk(data: Any) -> dict[str, Any]:
        if type(data) is not dict:
            raise _Undecided
        out = {}
        for name, dump, required in plan:
            value = data.get(name, missing)
            if value is missing:
                if required:
                    raise _Undecided
                continue
            out[name] = dump(value)
        return out

    return walk


def compile_dump(schema: Schema) -> Callable[[Any], dict[str, Any] | None]:
    """`schema`'s dump of a payload that load would accept, or None when marshmallow must judge it."""
    walk = _compile_schema_walk(schema)
    if walk is None:
        return lambda data: None

    def checked(data: Any) -> dict[str, Any] | None:
        try:
            return walk(data)
        except _Undecided:
            return None

    return checked
