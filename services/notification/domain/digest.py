"""The agency's mail: which bus events its digest reports, the digest windows, and what the digest and bulk summary say.

The digest goes to an agency's contact (its own staff's HR or PR office): it names the agency's people and
what happened to their registrations, grouped per meeting, but never their phone numbers or addresses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from services.notification.domain.messages import Recipient

AGENCY_DIGEST = "agency_digest"
BULK_SUMMARY = "bulk_summary"
# Mail to an agency's contact rather than to a participant: email only, no calendar entry.
AGENCY_KINDS = (AGENCY_DIGEST, BULK_SUMMARY)
# The agency mail a bus event sends at once (the digest comes from the scheduler, not from one event).
AGENCY_KIND_BY_EVENT = {"agency.bulk_processed": BULK_SUMMARY}

# What the digest reports, by the bus event that tells of it, in the order the mail lists them.
ITEM_KIND_BY_EVENT = {
    "registration.confirmed": "confirmed",
    "registration.waitlisted": "waitlisted",
    "registration.promoted": "promoted",
    "registration.mode_changed": "moved",
    "registration.cancelled": "cancelled",
    "registration.checked_in": "checked_in",
    "certificate.issued": "certificate",
}
ITEM_KINDS = tuple(ITEM_KIND_BY_EVENT.values())
# A bulk summary lists this many refused rows; the rest are counted (the agency has its own answer in full).
MAX_LISTED_INVALID_ROWS = 100

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MEETING_FIELDS = ("id", "title", "starts_at", "ends_at", "timezone", "organizer")


def window_start(now: dt.datetime, minutes: int) -> dt.datetime:
    """The start of the digest window holding `now`: windows of `minutes` counted from the Unix epoch (UTC).

    Every worker computes the same windows from its own clock, so "one digest per agency and window"
    is a unique key in the database rather than an agreement between workers.
    """
    if minutes < 1:
        raise ValueError("a digest window lasts at least one minute")
    length = dt.timedelta(minutes=minutes)
    return _EPOCH + ((now - _EPOCH) // length) * length


def next_window(now: dt.datetime, minutes: int) -> dt.datetime:
    """When the window holding `now` closes, i.e. the earliest moment a digest of what is recorded now can go."""
    return window_start(now, minutes) + dt.timedelta(minutes=minutes)


def _meeting_of(meeting: dict[str, Any] | None) -> dict[str, Any] | None:
    if not meeting:
        return None
    return {name: _iso(meeting.get(name)) for name in _MEETING_FIELDS}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def digest_item(
    event_type: str,
    data: dict[str, Any],
    occurred_at: dt.datetime,
    *,
    person: dict[str, Any] | None = None,
    meeting: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """What the digest keeps of one bus event (JSON-ready), or None when the event is not for an agency's digest.

    `person` and `meeting` stand in for a payload that carries neither (registration.checked_in: the
    consumer knows them from its contacts).
    """
    kind = ITEM_KIND_BY_EVENT.get(event_type)
    agency_id = data.get("agency_id")
    if kind is None or not agency_id:
        return None
    person = data.get("participant") or person or {}
    detail: dict[str, Any] = {}
    if kind == "waitlisted":
        detail["waitlist_position"] = data.get("waitlist_position")
    if kind == "moved":
        detail.update(previous_mode=data.get("previous_mode"))
    if kind == "cancelled":
        detail["previous_status"] = data.get("previous_status")
    if kind == "checked_in":
        detail["at"] = _iso(data.get("at"))
    if kind == "certificate":
        detail["number"] = data.get("number")
    return {
        "kind": kind,
        "agency_id": agency_id,
        "registration_id": data["registration_id"],
        "event_id": data["event_id"],
        # Name and position only: the contact needs to know who, not how to reach them.
        "full_name": person.get("full_name") or "",
        "position": person.get("position"),
        "attendance_mode": data.get("attendance_mode"),
        "detail": detail,
        "meeting": _meeting_of(data.get("meeting") or meeting),
        "occurred_at": _iso(occurred_at),
    }


def build_digest(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Group the items per meeting (earliest meeting first), count them per kind, and list them in the order they happened."""
    meetings: dict[str, dict[str, Any]] = {}
    totals = dict.fromkeys(ITEM_KINDS, 0)
    for item in sorted(items, key=lambda i: (i["occurred_at"], i["registration_id"])):
        meeting = item.get("meeting") or {"id": item["event_id"], "title": item["event_id"]}
        group = meetings.setdefault(item["event_id"], {"meeting": meeting, "counts": dict.fromkeys(ITEM_KINDS, 0), "entries": []})
        group["counts"][item["kind"]] += 1
        totals[item["kind"]] += 1
        group["entries"].append(
            {name: item[name] for name in ("kind", "full_name", "position", "attendance_mode", "detail", "occurred_at")}
        )
    groups = sorted(meetings.values(), key=lambda g: (str(g["meeting"].get("starts_at") or ""), g["meeting"]["id"]))
    for group in groups:
        group["counts"] = {kind: n for kind, n in group["counts"].items() if n}
    return {"meetings": groups, "counts": {kind: n for kind, n in totals.items() if n}, "total": sum(totals.values())}


def letterhead_meeting(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The meeting whose organizer heads the mail: the digest's only meeting, or none (the default organizer signs)."""
    if len(groups) == 1:
        return dict(groups[0]["meeting"])
    return {"id": "", "title": "", "organizer": None}


def _messages(errors: Any, prefix: str = "") -> list[str]:
    """Marshmallow's nested messages flattened to 'field: message' lines ('venue.name: …', 'participant: …')."""
    if isinstance(errors, dict):
        lines = []
        for field, value in errors.items():
            name = str(field) if field != "_schema" else ""
            lines += _messages(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
        return lines
    if isinstance(errors, (list, tuple)):
        return [line for value in errors for line in _messages(value, prefix)]
    return [f"{prefix}: {errors}" if prefix and prefix != "_row" else str(errors)]


def bulk_summary(data: dict[str, Any]) -> dict[str, Any]:
    """What the summary of one bulk request says: counts, and each refused row (numbered from 1, as in a sheet) with its reasons."""
    invalid = sorted(data.get("invalid") or [], key=lambda r: r["row"])
    listed = [{"row": r["row"] + 1, "messages": _messages(r.get("errors") or {})} for r in invalid[:MAX_LISTED_INVALID_ROWS]]
    return {
        "request_id": data["request_id"],
        "created": data["created"],
        "duplicates": data["duplicates"],
        "invalid_count": len(invalid),
        "invalid": listed,
        "unlisted": max(0, len(invalid) - MAX_LISTED_INVALID_ROWS),
    }


def agency_recipient(agency: dict[str, Any]) -> Recipient:
    """The agency's contact as the mail templates address it: the agency's name, its contact address and language."""
    return Recipient(
        registration_id=agency["agency_id"],
        full_name=agency["name"],
        email=agency["contact_email"],
        phone=None,
        locale=agency.get("locale") or "id",
        attendance_mode="",
        status="",
        agency_name=agency["name"],
    )
