"""The meeting form: from posted fields to the registration API's body, and which changes reach participants."""

from __future__ import annotations

from collections.abc import Mapping

from services.console.domain.timefmt import instant_from_local, local_input_value, parse_instant

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
# A change of any of these is mailed to every active participant (event.updated, time or venue).
NOTIFYING_FIELDS = ("starts_at", "ends_at", "timezone", "venue")
FIELDS = (
    "title",
    "theme",
    "starts_at",
    "ends_at",
    "timezone",
    "venue.name",
    "venue.address",
    "venue.city",
    "in_person_capacity",
    "agency_in_person_quota",
    "online",
    "health_protocol",
    "registration_closes_at",
    "min_online_minutes",
)


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def meeting_body(form: Mapping[str, str]) -> tuple[dict, dict[str, list[str]]]:
    """The API body of a posted meeting form, and errors as catalogue keys per field (the API checks the rest)."""
    errors: dict[str, list[str]] = {}
    timezone = _text(form, "timezone") or "Asia/Jakarta"
    body: dict = {
        "title": _text(form, "title"),
        "theme": _text(form, "theme") or None,
        "timezone": timezone,
        "venue": {"name": _text(form, "venue.name"), "address": _text(form, "venue.address"), "city": _text(form, "venue.city") or None},
        "online": form.get("online") in ("1", "on", "true"),
        "health_protocol": _text(form, "health_protocol") or None,
    }
    for name in ("title", "venue.name", "venue.address"):
        if not _text(form, name):
            errors[name] = ["form.required"]
    for name in ("starts_at", "ends_at", "registration_closes_at"):
        raw = _text(form, name)
        if not raw:
            if name != "registration_closes_at":
                errors[name] = ["form.required"]
            else:
                body[name] = None
            continue
        try:
            body[name] = instant_from_local(raw, timezone if timezone in ZONES else "Asia/Jakarta")
        except ValueError:
            errors[name] = ["form.bad_time"]
    for name, required in (("in_person_capacity", True), ("agency_in_person_quota", False)):
        raw = _text(form, name)
        if not raw:
            if required:
                errors[name] = ["form.required"]
            else:
                body[name] = None
            continue
        try:
            body[name] = int(raw)
        except ValueError:
            errors[name] = ["form.whole_number"]
    # Blank is the API's default, 0: being in the Zoom report at all counts. The range is the API's to judge.
    raw = _text(form, "min_online_minutes")
    try:
        body["min_online_minutes"] = int(raw) if raw else 0
    except ValueError:
        errors["min_online_minutes"] = ["form.whole_number"]
    return body, errors


def form_values(meeting: Mapping) -> dict[str, str]:
    """The form's field values for an existing meeting (times in its own zone)."""
    venue = meeting.get("venue") or {}
    timezone = meeting.get("timezone") or "Asia/Jakarta"
    return {
        "title": meeting.get("title") or "",
        "theme": meeting.get("theme") or "",
        "starts_at": local_input_value(meeting.get("starts_at"), timezone),
        "ends_at": local_input_value(meeting.get("ends_at"), timezone),
        "timezone": timezone,
        "venue.name": venue.get("name") or "",
        "venue.address": venue.get("address") or "",
        "venue.city": venue.get("city") or "",
        "in_person_capacity": str(meeting.get("in_person_capacity", "")),
        "agency_in_person_quota": "" if meeting.get("agency_in_person_quota") is None else str(meeting["agency_in_person_quota"]),
        "online": "1" if meeting.get("online", True) else "",
        "health_protocol": meeting.get("health_protocol") or "",
        "registration_closes_at": local_input_value(meeting.get("registration_closes_at"), timezone),
        "min_online_minutes": str(meeting.get("min_online_minutes") or 0),
    }


def _same(key: str, old, new) -> bool:
    if key in ("starts_at", "ends_at", "registration_closes_at") and old and new:
        return parse_instant(old) == parse_instant(new)
    if key == "venue":
        old = {k: (old or {}).get(k) for k in ("name", "address", "city")}
    return old == new


def changes(meeting: Mapping, body: Mapping) -> dict:
    """Only the fields of `body` that differ from the meeting: the PATCH body."""
    return {key: value for key, value in body.items() if not _same(key, meeting.get(key), value)}


def notifies_participants(patch: Mapping) -> bool:
    """Whether saving `patch` sends every active participant an update (a change of time or venue)."""
    return any(key in patch for key in NOTIFYING_FIELDS)


def flatten_errors(errors: Mapping, prefix: str = "") -> dict[str, list[str]]:
    """The API's {"venue": {"name": [...]}} as {"venue.name": [...]}, the form's field names."""
    flat: dict[str, list[str]] = {}
    for key, value in errors.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_errors(value, name + "."))
        else:
            flat[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return flat
