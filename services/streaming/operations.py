"""Use cases of the streaming service, used by the HTTP API and the bus handlers alike."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.streaming import metrics, store
from services.streaming.domain.channels import ChannelInput, validate_channel
from services.streaming.domain.eligibility import LinkAction, is_eligible, link_action, revoke_reason
from services.streaming.domain.errors import MeetingCancelled, MeetingNotFound, NoChannel
from services.streaming.domain.join_target import JoinDecision, JoinOutcome, decide_join
from services.streaming.domain.meetings import is_valid_event_id
from services.streaming.join_path import JoinPath, LinkRow
from services.streaming.models import Channel, Meeting, Participant
from shared.db import read_only, unit_of_work, utcnow
from shared.domain.registration_events import is_stale, registration_status
from shared.messaging.outbox import record_event, record_events_alike
from shared.schemas.events import MeetingSchema
from shared.settings import Settings
from shared.web.auth import hash_secret, new_secret

PRODUCER = "streaming"
# secrets.token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100
SessionFactory = Callable[[], Session]
_meeting_schema = MeetingSchema()


@dataclass(frozen=True)
class ChannelView:
    kind: str
    url: str
    meeting_id: str | None
    passcode: str | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class MeetingChannels:
    event_id: str
    title: str | None
    published_at: dt.datetime | None
    channels: list[ChannelView]


@dataclass(frozen=True)
class PublishResult:
    event_id: str
    published_at: dt.datetime
    issued: int
    active_links: int


@dataclass(frozen=True)
class JoinRow:
    registration_id: str
    full_name: str | None
    agency_id: str | None
    agency_name: str | None
    first_joined_at: dt.datetime
    last_joined_at: dt.datetime
    count: int


def _channel_view(row: Channel) -> ChannelView:
    return ChannelView(row.kind, row.url, row.meeting_id, row.passcode, row.updated_at)


def set_channel(
    session_factory: SessionFactory, settings: Settings, event_id: str, channel: ChannelInput, now: dt.datetime | None = None
) -> ChannelView:
    """Create or replace the Zoom or YouTube channel of a meeting; existing links follow the new URL.

    A meeting this service has not heard of yet is accepted: organizers often prepare the Zoom room
    first, and event.created fills in the rest when it arrives.
    """
    _check_event_id(event_id)
    channel = validate_channel(channel, settings.stream_allowed_hosts)
    now = now or utcnow()
    with unit_of_work(session_factory) as session:
        store.ensure_meeting(session, event_id, now)
        store.lock_meeting(session, event_id)  # two organizers saving at once: the second updates, no duplicate key
        row = session.get(Channel, (event_id, channel.kind))
        if row is None:
            row = Channel(event_id=event_id, kind=channel.kind)
            session.add(row)
        row.url, row.meeting_id, row.passcode, row.updated_at = channel.url, channel.meeting_id, channel.passcode, now
        session.flush()
        return _channel_view(row)


def get_channels(session_factory: SessionFactory, event_id: str) -> MeetingChannels:
    """The meeting and its channels; MeetingNotFound when the service knows nothing of it."""
    _check_event_id(event_id)
    with read_only(session_factory) as session:
        meeting = store.get_meeting(session, event_id)
        if meeting is None:
            raise MeetingNotFound(event_id)
        channels = [_channel_view(row) for row in store.channels_of(session, event_id)]
        return MeetingChannels(meeting.id, meeting.title, meeting.published_at, channels)


def publish_links(session_factory: SessionFactory, settings: Settings, event_id: str, now: dt.datetime | None = None) -> PublishResult:
    """Issue one personal link to every eligible participant who has none yet; later ones get theirs on arrival."""
    _check_event_id(event_id)
    now = now or utcnow()
    with unit_of_work(session_factory) as session:
        meeting = store.lock_meeting(session, event_id)
        if meeting is None:
            raise MeetingNotFound(event_id)
        if meeting.cancelled_at is not None:
            raise MeetingCancelled(event_id)
        channels = store.channels_of(session, event_id)
        if not channels:
            raise NoChannel(event_id)
        if meeting.published_at is None:
            meeting.published_at = now
        participants = store.eligible_without_link(session, event_id)
        issued = _issue_links(session, settings, meeting, channels, participants, now)
        active = store.count_active_links(session, event_id)
        return PublishResult(event_id, meeting.published_at, issued, active)


def _check_event_id(event_id: str) -> None:
    if not is_valid_event_id(event_id):
        raise MeetingNotFound(event_id)


def _contact(participant) -> dict[str, Any]:
    return {
        "full_name": participant.full_name,
        "email": participant.email,
        "phone": participant.phone,
        "locale": participant.locale,
        "nip": participant.nip,
        "position": participant.position,
    }


def _issue_links(
    session: Session, settings: Settings, meeting: Meeting, channels: list[Channel], participants: list, now: dt.datetime
) -> int:
    """Insert a fresh link per participant and one stream.link_issued each, in bulk; return how many.

    `participants` are Participant objects or rows with the same contact attributes.
    """
    if not participants:
        return 0
    tokens = [new_secret() for _ in participants]
    store.insert_links(
        session,
        [
            {"token_hash": hash_secret(token), "registration_id": p.registration_id, "event_id": meeting.id, "issued_at": now}
            for token, p in zip(tokens, participants, strict=False)
        ],
    )
    youtube = next((c.url for c in channels if c.kind == "youtube"), None)
    zoom_meeting_id = next((c.meeting_id for c in channels if c.kind == "zoom"), None)
    common = {
        "event_id": meeting.id,
        "youtube_url": youtube,
        "zoom_meeting_id": zoom_meeting_id,
        "channel_kinds": [c.kind for c in channels],
        "meeting": store.meeting_snapshot(meeting),
    }
    personal = [
        {"registration_id": p.registration_id, "participant": _contact(p), "join_url": f"{settings.public_base_url}/j/{token}"}
        for token, p in zip(tokens, participants, strict=False)
    ]
    issued = record_events_alike(session, PRODUCER, "stream.link_issued", {**common, **personal[0]}, personal[1:])
    # Counted before the commit: a rolled-back publish over-counts, which a counter of attempts tolerates.
    metrics.LINKS_ISSUED.inc(issued)
    return issued


def _apply_snapshot(meeting: Meeting, snapshot: dict[str, Any], occurred_at: dt.datetime) -> None:
    """Keep the newest meeting snapshot: a higher sequence wins, then the later event; a cancellation sticks."""
    if snapshot.get("status") == "cancelled" and meeting.cancelled_at is None:
        # Whichever event first says so (a registration event may overtake event.cancelled): final either way.
        meeting.cancelled_at = snapshot.get("cancelled_at") or occurred_at
    newer = (
        meeting.snapshot_at is None
        or snapshot.get("sequence", 0) > meeting.sequence
        or (snapshot.get("sequence", 0) == meeting.sequence and occurred_at >= meeting.snapshot_at)
    )
    if not newer:
        return
    dumped = _meeting_schema.dump(snapshot)
    meeting.title, meeting.timezone = snapshot["title"], snapshot["timezone"]
    meeting.starts_at, meeting.ends_at = snapshot["starts_at"], snapshot["ends_at"]
    meeting.sequence = snapshot.get("sequence", 0)
    meeting.snapshot = json.dumps(dumped, separators=(",", ":"), ensure_ascii=False)
    meeting.snapshot_at = occurred_at
    meeting.updated_at = utcnow()


def record_meeting(session: Session, data: dict[str, Any], occurred_at: dt.datetime) -> None:
    """event.created / event.updated: remember the meeting's title and times (for links and the 'over' page)."""
    store.ensure_meeting(session, data["id"], utcnow())
    meeting = store.lock_meeting(session, data["id"])
    _apply_snapshot(meeting, data, occurred_at)


def record_meeting_cancelled(session: Session, data: dict[str, Any], occurred_at: dt.datetime) -> None:
    """event.cancelled: every personal link of the meeting answers 410 from now on (the links stay as they are)."""
    record_meeting(session, data, occurred_at)


def record_registration(
    session: Session, settings: Settings, event_type: str, data: dict[str, Any], occurred_at: dt.datetime
) -> LinkAction:
    """Update who may watch from one registration event; issue or revoke that person's link as needed."""
    now = utcnow()
    event_id, registration_id = data["event_id"], data["registration_id"]
    store.ensure_meeting(session, event_id, now)
    meeting = store.lock_meeting(session, event_id)
    _apply_snapshot(meeting, data["meeting"], occurred_at)
    participant = session.get(Participant, registration_id)
    if participant is not None and is_stale(occurred_at, participant.last_event_at):
        return LinkAction.NONE
    if participant is None:
        participant = Participant(registration_id=registration_id, event_id=event_id)
        session.add(participant)
    status = registration_status(event_type, data)
    contact = data["participant"]
    participant.agency_id, participant.agency_name = data.get("agency_id"), data.get("agency_name") or participant.agency_name
    participant.full_name, participant.email, participant.phone = contact["full_name"], contact["email"], contact.get("phone")
    participant.locale, participant.nip, participant.position = contact.get("locale") or "id", contact.get("nip"), contact.get("position")
    participant.attendance_mode, participant.status = data["attendance_mode"], status
    participant.eligible = is_eligible(status, data["attendance_mode"])
    participant.last_event_at, participant.updated_at = occurred_at, now
    session.flush()
    link = store.active_link(session, registration_id)
    # No new links into a meeting that was called off; losing eligibility still revokes.
    published = meeting.published_at is not None and meeting.cancelled_at is None
    action = link_action(eligible=participant.eligible, has_active_link=link is not None, published=published)
    if action is LinkAction.ISSUE:
        channels = store.channels_of(session, event_id)
        if not channels:
            return LinkAction.NONE
        _issue_links(session, settings, meeting, channels, [participant], now)
    elif action is LinkAction.REVOKE:
        reason = revoke_reason(status, participant.attendance_mode)
        store.revoke_link(session, link.id, reason, now)
        record_event(session, PRODUCER, "stream.link_revoked", {"registration_id": registration_id, "event_id": event_id, "reason": reason})
        metrics.LINKS_REVOKED.inc()
    return action


@dataclass(frozen=True)
class LinkVisit:
    decision: JoinDecision
    link: LinkRow  # the meeting's title, times and zone, the participant's language: for the pages


def open_link(
    join_path: JoinPath, token: str, opens_before: dt.timedelta, now: dt.datetime | None = None, *, record: bool = True
) -> LinkVisit | None:
    """Resolve a personal link and record the join when it leads to the live meeting; None if unknown.

    `opens_before` (JOIN_OPENS_MINUTES) is how long before the start the link leads to the meeting.
    `record=False` (a HEAD request: link checkers, not people) resolves without recording.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = now or utcnow()

    def decide(row: LinkRow):
        decision = decide_join(
            revoked=row.revoked,
            cancelled=row.cancelled,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            zoom_url=row.zoom_url,
            youtube_url=row.youtube_url,
            now=now,
            opens_before=opens_before,
        )
        return decision, decision.channel_kind if record and decision.outcome is JoinOutcome.REDIRECT else None

    row, decision = join_path.visit(hash_secret(token), decide, now, opens_before, record)
    return None if row is None else LinkVisit(decision, row)


def list_joins(session_factory: SessionFactory, event_id: str) -> list[JoinRow]:
    """Who joined the meeting online, when first and last, and how many times."""
    _check_event_id(event_id)
    with read_only(session_factory) as session:
        if store.get_meeting(session, event_id) is None:
            raise MeetingNotFound(event_id)
        return [
            JoinRow(r.registration_id, r.full_name, r.agency_id, r.agency_name, r.first_joined_at, r.last_joined_at, r.count)
            for r in store.join_summary(session, event_id)
        ]
