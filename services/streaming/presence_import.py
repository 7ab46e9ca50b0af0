"""Use case: import a Zoom participant report, store each stay once, announce changed totals (stream.presence_recorded)."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.streaming import store
from services.streaming.domain.errors import MeetingNotFound, TimezoneUnknown
from services.streaming.domain.meetings import is_valid_event_id
from services.streaming.domain.presence import present_minutes
from services.streaming.domain.zoom_report import PresenceRow, attended_rows, parse_json_rows, parse_zoom_csv
from shared.db import read_only, unit_of_work, utcnow
from shared.messaging.outbox import record_events_alike

log = logging.getLogger(__name__)
PRODUCER = "streaming"
ZOOM_CSV, JSON_ROWS = "zoom_csv", "json"
# Why a row matched no one: the organizer fixes the registration or knows it was a guest.
NO_EMAIL, NOT_REGISTERED, NOT_ONLINE = "no_email", "not_registered", "not_registered_online"


@dataclass(frozen=True)
class UnmatchedRow:
    row: int
    name: str | None
    email: str | None
    reason: str


@dataclass(frozen=True)
class RegistrationPresence:
    registration_id: str
    full_name: str | None
    minutes: int
    first_join_at: dt.datetime
    changed: bool  # whether this import changed the total (and so announced it)


@dataclass(frozen=True)
class ImportResult:
    event_id: str
    source: str
    rows: int
    matched: int
    waiting_room: int
    unmatched: list[UnmatchedRow]
    registrations: list[RegistrationPresence]


def import_presence_report(
    session_factory: Callable[[], Session],
    event_id: str,
    source: str,
    content: Any,
    timezone: str | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Read a report (`content`: the CSV's bytes or the parsed JSON), match rows by email, add the new stays.

    Minutes per registration are the union of all its stays from every report imported (overlaps once),
    not clipped to the meeting's hours: the Zoom room is the host's to open and close, and the totals
    then match what the organizer sees in Zoom. Under the meeting's lock, so two imports at once run
    one after the other and each announces only what it changed.
    """
    if not is_valid_event_id(event_id):
        raise MeetingNotFound(event_id)
    now = now or utcnow()
    # The file is read before the meeting's lock is taken: registration events for the meeting wait on
    # that lock, and half a second of parsing need not hold them up.
    rows = _parse(session_factory, event_id, source, content, timezone)
    with unit_of_work(session_factory) as session:
        if store.lock_meeting(session, event_id) is None:
            raise MeetingNotFound(event_id)
        counted, waiting_room = attended_rows(rows)
        matched, unmatched = _match(counted, store.participants_for_matching(session, event_id))
        store.insert_stays(
            session,
            [
                {
                    "event_id": event_id,
                    "registration_id": registration_id,
                    "joined_at": r.joined_at,
                    "left_at": r.left_at,
                    "source": source,
                    "imported_at": now,
                }
                for registration_id, r in _distinct_stays(matched)
            ],
        )
        registrations = _recount(session, event_id, {rid: name for rid, name, _ in matched}, source, now)
    log.info(
        "presence report for event %s: %d rows, %d matched, %d unmatched, %d totals changed",
        event_id,
        len(rows),
        len(matched),
        len(unmatched),
        sum(r.changed for r in registrations),
    )
    return ImportResult(event_id, source, len(rows), len(matched), waiting_room, unmatched, registrations)


def _parse(session_factory: Callable[[], Session], event_id: str, source: str, content: Any, timezone: str | None) -> list[PresenceRow]:
    """The report's rows, times without an offset read in `timezone` or else the meeting's zone."""
    with read_only(session_factory) as session:
        meeting = store.get_meeting(session, event_id)
        if meeting is None:
            raise MeetingNotFound(event_id)
        zone_name = timezone or meeting.timezone
    if zone_name is None:
        raise TimezoneUnknown(event_id)
    zone = zoneinfo.ZoneInfo(zone_name)
    return parse_zoom_csv(content, zone) if source == ZOOM_CSV else parse_json_rows(content, zone)


def _match(rows: list[PresenceRow], participants: list) -> tuple[list[tuple[str, str | None, PresenceRow]], list[UnmatchedRow]]:
    """Rows matched by email to a confirmed online registration; the rest with the reason they were not."""
    online: dict[str, tuple[str, str]] = {}
    others: set[str] = set()
    for registration_id, email, full_name, eligible in participants:
        key = (email or "").strip().lower()
        if eligible:
            online[key] = (registration_id, full_name)
        else:
            others.add(key)
    matched, unmatched = [], []
    for row in rows:
        if row.email is None:
            unmatched.append(UnmatchedRow(row.row, row.name, None, NO_EMAIL))
        elif row.email in online:
            registration_id, full_name = online[row.email]
            matched.append((registration_id, full_name, row))
        else:
            unmatched.append(UnmatchedRow(row.row, row.name, row.email, NOT_ONLINE if row.email in others else NOT_REGISTERED))
    return matched, unmatched


def _distinct_stays(matched: list[tuple[str, str | None, PresenceRow]]) -> list[tuple[str, PresenceRow]]:
    seen, stays = set(), []
    for registration_id, _, row in matched:
        key = (registration_id, row.joined_at, row.left_at)
        if key not in seen:
            seen.add(key)
            stays.append((registration_id, row))
    return stays


def _recount(session: Session, event_id: str, names: dict[str, str | None], source: str, now: dt.datetime) -> list[RegistrationPresence]:
    """Sum each matched registration's stays; store and announce the totals that changed (in bulk: thousands per report)."""
    ids = sorted(names)
    stays, totals = store.stays_of(session, event_id, ids), store.presence_totals(session, ids)
    result, changed = [], []
    for registration_id in ids:
        minutes, first = present_minutes(stays[registration_id]), min(start for start, _ in stays[registration_id])
        total = totals.get(registration_id)
        is_changed = total is None or (total.minutes, total.first_join_at) != (minutes, first)
        if is_changed:
            changed.append(
                {"registration_id": registration_id, "event_id": event_id, "minutes": minutes, "first_join_at": first, "updated_at": now}
            )
        result.append(RegistrationPresence(registration_id, names[registration_id], minutes, first, is_changed))
    if changed:
        store.save_presence_totals(session, changed)
        events = [
            {
                "registration_id": c["registration_id"],
                "event_id": event_id,
                "minutes": c["minutes"],
                "source": source,
                "first_join_at": c["first_join_at"],
            }
            for c in changed
        ]
        # One payload validated, the others differing only in plain values (ids, an int, an ISO time as the schema writes it).
        rest = [{**e, "first_join_at": e["first_join_at"].isoformat()} for e in events[1:]]
        record_events_alike(session, PRODUCER, "stream.presence_recorded", events[0], rest)
    return result
