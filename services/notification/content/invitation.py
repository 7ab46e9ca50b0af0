"""The .ics invitation: METHOD:REQUEST adds or moves the calendar entry, METHOD:CANCEL removes it."""

from __future__ import annotations

import datetime as dt
import functools
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText, vUri


def _moment(value: Any, timezone: str) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment.astimezone(ZoneInfo(timezone))


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> Timezone:
    # Generating a VTIMEZONE walks the zone's transitions (about 30 ms); meetings share a handful of
    # zones, so each is built once per process and added, read-only, to every invitation.
    return Timezone.from_tzid(tzid)


def meeting_location(meeting: dict[str, Any], attendance_mode: str, join_url: str | None = None) -> str:
    """The venue for people in the room; for the others their personal link (clients make it clickable), else 'Online'."""
    if attendance_mode == "online":
        return join_url or "Online"
    venue = meeting.get("venue") or {}
    parts = [venue.get("name"), venue.get("address"), venue.get("city")]
    return ", ".join(p for p in parts if p)


def _add_join_link(event: Event, join_url: str, locale: str) -> None:
    # Where clients look for "Join": URL (RFC 5545), CONFERENCE (RFC 7986; Apple, Thunderbird) and
    # X-GOOGLE-CONFERENCE (Google Calendar, also read by Outlook's import).
    event.add("url", join_url)
    conference = vUri(join_url)
    conference_params = {"VALUE": "URI", "FEATURE": ["AUDIO", "VIDEO"], "LABEL": "Gabung rapat" if locale == "id" else "Join the meeting"}
    event.add("conference", conference, parameters=conference_params)
    event.add("x-google-conference", join_url)


def _add_geo(event: Event, venue: dict[str, Any]) -> None:
    latitude, longitude = venue.get("latitude"), venue.get("longitude")
    if latitude is not None and longitude is not None:
        event.add("geo", (float(latitude), float(longitude)))


def build_invitation(context: dict[str, Any], *, organizer: str, now: dt.datetime | None = None) -> bytes:
    """The iCalendar bytes for the message described by `context` (its 'calendar' entry must be set)."""
    calendar_info, meeting, participant = context["calendar"], context["meeting"], context["participant"]
    method = calendar_info["method"]
    timezone = meeting.get("timezone") or "Asia/Jakarta"
    calendar = Calendar()
    calendar.add("prodid", "-//Rakor//Rapat Koordinasi//ID")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    # Calendar clients need the VTIMEZONE to place TZID-qualified times; generated from the tz database.
    calendar.add_component(_vtimezone(timezone))
    event = Event()
    event.add("uid", calendar_info["uid"])
    event.add("sequence", int(calendar_info["sequence"]))
    event.add("dtstamp", (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    event.add("dtstart", _moment(meeting["starts_at"], timezone))
    event.add("dtend", _moment(meeting["ends_at"], timezone))
    event.add("summary", meeting["title"])
    if meeting.get("theme"):
        event.add("description", meeting["theme"])
    mode = participant.get("attendance_mode", "in_person")
    # Meeting-wide updates and cancellations carry the link on the recipient rather than as an extra.
    join_url = (context.get("join_url") or participant.get("join_url")) if mode == "online" else None
    event.add("location", meeting_location(meeting, mode, join_url))
    if join_url:
        _add_join_link(event, join_url, context.get("locale") or "id")
    elif mode == "in_person":
        _add_geo(event, meeting.get("venue") or {})
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    name, address = parseaddr(organizer)
    organizer_address = vCalAddress(f"mailto:{address or 'no-reply@rakor.local'}")
    organizer_address.params["cn"] = vText(name or "Rakor")
    event.add("organizer", organizer_address)
    attendee = vCalAddress(f"mailto:{participant['email']}")
    attendee.params["cn"] = vText(participant["full_name"])
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()
