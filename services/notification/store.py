"""Queries and upserts of the notification tables; callers own the transaction."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from marshmallow import EXCLUDE
from sqlalchemy import and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.orm import Session, selectinload

from services.notification.domain.delivery import BUS_CLAIMABLE, SENDABLE, SENDING
from services.notification.domain.messages import Recipient
from services.notification.domain.receipts import FALLBACK_AT_ONCE, FALLBACK_NEVER, Receipt
from services.notification.models import Attempt, Contact, EarlyReceipt, Meeting, Notification, UtcDateTime
from services.notification.reminder_store import arm_reminders
from shared.db.inserts import dialect_insert
from shared.domain.registration_events import is_stale
from shared.schemas.events import MeetingSchema

_meeting_schema = MeetingSchema(unknown=EXCLUDE)


def meeting_json(meeting: dict[str, Any]) -> dict[str, Any]:
    """A loaded meeting payload as JSON-ready data (datetimes as ISO 8601 strings)."""
    return _meeting_schema.dump(meeting)


def save_meeting(session: Session, meeting: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Keep the newest snapshot of a meeting (by sequence) and return the one now stored; a new snapshot re-arms its reminders."""
    snapshot = meeting_json(meeting)
    sequence = int(snapshot.get("sequence") or 0)
    text = json.dumps(snapshot, sort_keys=True)
    table = Meeting.__table__
    stored = session.execute(select(table.c.sequence, table.c.snapshot).where(table.c.id == snapshot["id"])).first()
    if stored is None:
        # Two handlers may bring the same new meeting at once: the loser of the insert just compares below.
        # RETURNING, not rowcount: psycopg answers -1 for INSERT … ON CONFLICT DO NOTHING, which would
        # make the loser believe it inserted and arm reminders from its older snapshot.
        inserted = session.execute(
            dialect_insert(session)(table)
            .values(id=snapshot["id"], sequence=sequence, snapshot=text, updated_at=now)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(table.c.id)
        ).first()
        if inserted is not None:
            arm_reminders(session, snapshot, now)
            return snapshot
        stored = session.execute(select(table.c.sequence, table.c.snapshot).where(table.c.id == snapshot["id"])).first()
    if sequence > stored.sequence or (sequence == stored.sequence and text != stored.snapshot):
        session.execute(
            update(table)
            .where(table.c.id == snapshot["id"], table.c.sequence <= sequence)
            .values(sequence=sequence, snapshot=text, updated_at=now)
        )
        arm_reminders(session, snapshot, now)
        return snapshot
    # Every registration event carries the snapshot; an unchanged one costs no write.
    return snapshot if sequence == stored.sequence else json.loads(stored.snapshot)


def save_link(session: Session, data: dict[str, Any], now: dt.datetime) -> Recipient:
    """stream.link_issued: store the personal link on the contact (created if the link overtook the registration)."""
    person = data["participant"]
    values = {
        "registration_id": data["registration_id"],
        "event_id": data["event_id"],
        "full_name": person["full_name"],
        "email": person["email"],
        "phone": person.get("phone"),
        "locale": person.get("locale") or "id",
        "position": person.get("position"),
        "attendance_mode": "online",
        "status": "confirmed",
        # Oldest possible: any registration event, whenever it arrives, overrides these guesses.
        "last_event_at": dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        "join_url": data["join_url"],
        "youtube_url": data.get("youtube_url"),
        "link_revoked_at": None,
        "updated_at": now,
    }
    return recipient_of(session.execute(_UPSERT_LINK, values).one())


def load_meeting(session: Session, meeting_id: str) -> dict[str, Any] | None:
    row = session.get(Meeting, meeting_id)
    return json.loads(row.snapshot) if row else None


def save_contact(
    session: Session, data: dict[str, Any], *, status: str, occurred_at: dt.datetime, now: dt.datetime
) -> tuple[Contact, bool]:
    """Create or update the contact of a registration; an event older than the stored state changes nothing.

    Also says whether the event was stale (older than the newest seen), in which case nothing may be sent for it.
    """
    person = data["participant"]
    contact = session.get(Contact, data["registration_id"])
    if contact is None:
        contact = Contact(registration_id=data["registration_id"], event_id=data["event_id"], last_event_at=occurred_at, updated_at=now)
        session.add(contact)
    elif is_stale(occurred_at, contact.last_event_at):
        return contact, True
    contact.full_name, contact.email, contact.phone = person["full_name"], person["email"], person.get("phone")
    contact.locale, contact.position = person.get("locale") or "id", person.get("position")
    contact.agency_name = data.get("agency_name") or contact.agency_name
    contact.attendance_mode, contact.status = data["attendance_mode"], status
    if "check_in_code" in data:
        contact.check_in_code = data.get("check_in_code")
    contact.last_event_at, contact.updated_at = occurred_at, now
    return contact, False


def recipient_of(contact: Contact) -> Recipient:
    return Recipient(
        registration_id=contact.registration_id,
        full_name=contact.full_name,
        email=contact.email,
        phone=contact.phone,
        locale=contact.locale,
        attendance_mode=contact.attendance_mode,
        status=contact.status,
        check_in_code=contact.check_in_code,
        join_url=None if contact.link_revoked_at else contact.join_url,
        youtube_url=None if contact.link_revoked_at else contact.youtube_url,
        position=contact.position,
        agency_name=contact.agency_name,
    )


def active_contacts(session: Session, event_id: str) -> list[Contact]:
    """Everyone still expecting the meeting (confirmed or waitlisted), in a stable order."""
    query = (
        select(Contact)
        .where(Contact.event_id == event_id, Contact.status.in_(("confirmed", "waitlisted")))
        .order_by(Contact.registration_id)
    )
    return list(session.scalars(query))


CLAIM_COLUMNS = (
    Notification.id,
    Notification.channel,
    Notification.recipient,
    Notification.kind,
    Notification.context,
    Notification.attempt_count,
)
_NOTIFICATION_FIELDS = (
    "id",
    "source_event_id",
    "source_event_type",
    "kind",
    "channel",
    "recipient",
    "registration_id",
    "event_id",
    "locale",
    "status",
    "context",
    "attempt_count",
    "fallback",
    "fallback_for",
    "claimed_until",
    "created_at",
    "updated_at",
)
_UTC_FIELDS = ("claimed_until", "created_at", "updated_at", "last_event_at", "link_revoked_at")
# Upserts are written as SQL text: SQLAlchemy cannot cache the compiled form of ON CONFLICT
# constructs, and compiling them again for every message cost more CPU than the rest of the query.
# The syntax is the same on SQLite (3.35+) and PostgreSQL.
_INSERT_CLAIMED = text(
    f"INSERT INTO notifications ({', '.join(_NOTIFICATION_FIELDS)}) VALUES ({', '.join(':' + f for f in _NOTIFICATION_FIELDS)}) "
    "ON CONFLICT (source_event_id, channel, recipient) DO NOTHING "
    "RETURNING id, channel, recipient, kind, context, attempt_count"
).bindparams(*(bindparam(f, type_=UtcDateTime()) for f in ("claimed_until", "created_at", "updated_at")))
_CONTACT_FIELDS = (
    "registration_id",
    "event_id",
    "full_name",
    "email",
    "phone",
    "locale",
    "position",
    "attendance_mode",
    "status",
    "last_event_at",
    "join_url",
    "youtube_url",
    "link_revoked_at",
    "updated_at",
)
_UPSERT_LINK = (
    text(
        f"INSERT INTO contacts ({', '.join(_CONTACT_FIELDS)}) VALUES ({', '.join(':' + f for f in _CONTACT_FIELDS)}) "
        "ON CONFLICT (registration_id) DO UPDATE SET join_url = excluded.join_url, youtube_url = excluded.youtube_url, "
        "link_revoked_at = NULL, updated_at = excluded.updated_at "
        f"RETURNING {', '.join(c.name for c in Contact.__table__.c)}"
    )
    .bindparams(*(bindparam(f, type_=UtcDateTime()) for f in ("last_event_at", "link_revoked_at", "updated_at")))
    .columns(*Contact.__table__.c)
)


# The outcome of every send, also as SQL text with its parameters bound: building the UPDATE with
# only the columns that change made SQLAlchemy derive a cache key and coerce every value anew for
# each message, a fifth of the worker's database CPU per WhatsApp link. COALESCE keeps a column
# the outcome says nothing about (no provider id on a failure, no segments off SMS, sent_at unless sent).
_INSERT_ATTEMPT = text(
    "INSERT INTO attempts (notification_id, number, started_at, finished_at, outcome, error, provider_id) "
    "VALUES (:notification_id, :number, :started_at, :finished_at, :outcome, :error, :provider_id)"
).bindparams(*(bindparam(f, type_=UtcDateTime()) for f in ("started_at", "finished_at")))
_SETTLE_NOTIFICATION = text(
    "UPDATE notifications SET status = :status, attempt_count = attempt_count + 1, last_error = :last_error, "
    "claimed_until = NULL, updated_at = :updated_at, provider_id = COALESCE(:provider_id, provider_id), "
    "segments = COALESCE(:segments, segments), sent_at = COALESCE(:sent_at, sent_at) WHERE id = :id"
).bindparams(*(bindparam(f, type_=UtcDateTime()) for f in ("updated_at", "sent_at")))


def record_attempt(
    session: Session,
    notification_id: str,
    number: int,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    outcome: str,
    error: str | None,
    provider_id: str | None,
    *,
    status: str,
    segments: int | None,
    sent_at: dt.datetime | None,
) -> None:
    """Write one attempt and the notification's new status (its claim released); `provider_id`, `segments`
    and `sent_at` change the notification only when given."""
    session.execute(
        _INSERT_ATTEMPT,
        {
            "notification_id": notification_id,
            "number": number,
            "started_at": started_at,
            "finished_at": finished_at,
            "outcome": outcome,
            "error": error,
            "provider_id": provider_id,
        },
    )
    session.execute(
        _SETTLE_NOTIFICATION,
        {
            "id": notification_id,
            "status": status,
            "last_error": error,
            "updated_at": finished_at,
            "provider_id": provider_id or None,
            "segments": segments,
            "sent_at": sent_at,
        },
    )


def insert_claimed_once(session: Session, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert notification rows already claimed by the caller, skipping any whose (source event, channel,
    recipient) exists; returns the rows inserted, so a first delivery needs no separate claim."""
    inserted = []
    for row in rows:
        inserted.extend(session.execute(_INSERT_CLAIMED, {f: row.get(f) for f in _NOTIFICATION_FIELDS}))
    return inserted


def claim_sendable(session: Session, source_event_id: str, now: dt.datetime, lease_until: dt.datetime) -> list[Any]:
    """Reserve the notifications of an event that still need sending; returns their rows (one UPDATE … RETURNING)."""
    claimable = or_(Notification.status.in_(BUS_CLAIMABLE), and_(Notification.status == SENDING, Notification.claimed_until < now))
    statement = (
        update(Notification)
        .where(Notification.source_event_id == source_event_id, claimable)
        .values(status=SENDING, claimed_until=lease_until, updated_at=now)
        .returning(*CLAIM_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return list(session.execute(statement))


def extend_leases(session: Session, ids: list[str], now: dt.datetime, lease_until: dt.datetime) -> int:
    """Keep the notifications this sender still holds (status sending) reserved until `lease_until`."""
    statement = (
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == SENDING)
        .values(claimed_until=lease_until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount or 0


def claim_one(session: Session, notification_id: str, statuses: tuple[str, ...], now: dt.datetime, lease_until: dt.datetime) -> Any | None:
    """Reserve one notification if its status is one of `statuses`; None when another sender has it or it is done."""
    statement = (
        update(Notification)
        .where(Notification.id == notification_id, Notification.status.in_(statuses))
        .values(status=SENDING, claimed_until=lease_until, updated_at=now)
        .returning(*CLAIM_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).first()


def count_unsettled(session: Session, source_event_id: str, excluding: list[str]) -> int:
    """Notifications of an event, other than `excluding`, that are not final yet (pending, being sent, awaiting a retry)."""
    query = (
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.source_event_id == source_event_id,
            Notification.status.in_(SENDABLE + (SENDING,)),
            Notification.id.not_in(excluding),
        )
    )
    return int(session.scalar(query) or 0)


def get_notification(session: Session, notification_id: str) -> Notification | None:
    query = select(Notification).where(Notification.id == notification_id).options(selectinload(Notification.attempts))
    return session.scalars(query).first()


def list_notifications(session: Session, filters: dict[str, Any], limit: int, cursor: tuple[dt.datetime, str] | None) -> list[Notification]:
    """Newest first; `cursor` is the (created_at, id) of the last row of the previous page."""
    query = select(Notification)
    for name in ("registration_id", "event_id", "status", "channel", "kind"):
        if filters.get(name):
            query = query.where(getattr(Notification, name) == filters[name])
    if cursor is not None:
        created_at, last_id = cursor
        query = query.where(
            or_(Notification.created_at < created_at, and_(Notification.created_at == created_at, Notification.id < last_id))
        )
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(session.scalars(query))


def count_by_channel_and_status(session: Session, event_id: str | None = None) -> list[tuple[str, str, int]]:
    query = select(Notification.channel, Notification.status, func.count()).group_by(Notification.channel, Notification.status)
    if event_id:
        query = query.where(Notification.event_id == event_id)
    return [(channel, status, int(count)) for channel, status, count in session.execute(query)]


def count_attempts(session: Session, event_id: str | None = None) -> int:
    query = select(func.count()).select_from(Attempt)
    if event_id:
        query = query.join(Notification, Notification.id == Attempt.notification_id).where(Notification.event_id == event_id)
    return int(session.scalar(query) or 0)


def lock_by_provider_id(session: Session, provider_id: str, channels: tuple[str, ...]) -> Notification | None:
    """The notification a provider's message id belongs to, locked until the transaction ends (receipts race each other)."""
    query = select(Notification).where(Notification.provider_id == provider_id, Notification.channel.in_(channels)).with_for_update()
    return session.scalars(query).first()


def lock_notification(session: Session, notification_id: str) -> Notification:
    return session.scalars(select(Notification).where(Notification.id == notification_id).with_for_update()).one()


def keep_early_receipt(session: Session, receipt: Receipt, channels: tuple[str, ...], now: dt.datetime) -> None:
    session.add(
        EarlyReceipt(
            provider_id=receipt.provider_id,
            channels=",".join(channels),
            status=receipt.status,
            at=receipt.at,
            reason=receipt.reason,
            received_at=now,
        )
    )


def take_early_receipts(session: Session, provider_id: str, channel: str) -> list[Receipt]:
    """Remove and return the kept receipts of one provider id that came through `channel`'s webhook, oldest first."""
    rows = [
        row
        for row in session.scalars(
            select(EarlyReceipt).where(EarlyReceipt.provider_id == provider_id).order_by(EarlyReceipt.id).with_for_update()
        )
        if channel in row.channels.split(",")
    ]
    for row in rows:
        session.delete(row)
    session.flush()
    return [Receipt(row.provider_id, row.status, row.at, row.reason) for row in rows]


def early_receipts_now_known(session: Session, limit: int = 500) -> list[tuple[str, str, str]]:
    """(provider id, channel, notification id) of kept receipts whose notification has been recorded since."""
    query = (
        select(Notification.provider_id, Notification.channel, Notification.id)
        .join(EarlyReceipt, EarlyReceipt.provider_id == Notification.provider_id)
        .distinct()
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)]


def drop_early_receipts_before(session: Session, cutoff: dt.datetime) -> int:
    return session.execute(delete(EarlyReceipt).where(EarlyReceipt.received_at < cutoff)).rowcount or 0


def count_receipts(session: Session, event_id: str | None = None) -> tuple[int, int]:
    """How many notifications a provider reported delivered, and how many read."""
    query = select(func.count(Notification.delivered_at), func.count(Notification.read_at))
    if event_id:
        query = query.where(Notification.event_id == event_id)
    delivered, read = session.execute(query).one()
    return int(delivered or 0), int(read or 0)


def registration_ledger(session: Session, registration_id: str) -> list[Notification]:
    """Everything sent to one participant, oldest first (email before SMS/WhatsApp of the same event)."""
    query = (
        select(Notification)
        .where(Notification.registration_id == registration_id)
        .order_by(Notification.created_at, Notification.channel, Notification.id)
    )
    return list(session.scalars(query))


def due_fallbacks(session: Session, now: dt.datetime, minutes: float, limit: int = 200) -> list[Notification]:
    """WhatsApp notifications whose SMS fallback is due (domain/receipts.py), locked; rows another worker holds are skipped."""
    cutoff = now - dt.timedelta(minutes=minutes)
    due = or_(
        Notification.status.in_(FALLBACK_AT_ONCE), and_(Notification.status.not_in(FALLBACK_NEVER), Notification.created_at <= cutoff)
    )
    query = (
        select(Notification)
        .where(Notification.fallback == "armed", due)
        .order_by(Notification.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def disarm_fallback(session: Session, notification_id: str) -> bool:
    """armed -> done, once: False when another worker did it first."""
    result = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.fallback == "armed")
        .values(fallback="done")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def claim_fallback_sms(session: Session, now: dt.datetime, lease_until: dt.datetime, retry_before: dt.datetime) -> list[Any]:
    """SMS stand-ins still to send: a transient failure older than `retry_before`, or a crashed sender's claim past its lease."""
    claimable = or_(
        and_(Notification.status.in_(SENDABLE), Notification.updated_at <= retry_before),
        and_(Notification.status == SENDING, Notification.claimed_until < now),
    )
    statement = (
        update(Notification)
        .where(Notification.fallback_for.is_not(None), claimable)
        .values(status=SENDING, claimed_until=lease_until, updated_at=now)
        .returning(*CLAIM_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return list(session.execute(statement))
