"""SQLAlchemy tables of the registration service, plus the shared outbox and processed-events tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, column, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db_types import UtcDateTime
from shared.messaging.outbox import define_messaging_tables


class Base(DeclarativeBase):
    pass


UTC_DATETIME = UtcDateTime()


class Agency(Base):
    """A ministry, agency or regional government that posts its own participants with its API key."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    contact_email: Mapped[str] = mapped_column(String(320), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    # The contact's digest of what changed for the agency's people, and the summary after a bulk request.
    digest_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    locale: Mapped[str] = mapped_column(String(8), nullable=False, default="id", server_default="id")
    # Orders the agency.updated snapshots on the bus (the newest wins at the consumer).
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)


class AgencyKey(Base):
    """One API key of an agency. A rotation adds a key and gives the previous ones an expiry (the grace)."""

    __tablename__ = "agency_keys"
    __table_args__ = (Index("ix_agency_keys_agency", "agency_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), nullable=False)
    # Only the SHA-256 of the key is kept; the key itself is shown once, when it is made.
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)


class Meeting(Base):
    """A hybrid meeting (the API calls it an event): seats at a venue, online at the same time."""

    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    theme: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    ends_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    venue_name: Mapped[str] = mapped_column(String(300), nullable=False)
    venue_address: Mapped[str] = mapped_column(String(500), nullable=False)
    venue_city: Mapped[str | None] = mapped_column(String(200))
    venue_latitude: Mapped[float | None] = mapped_column(Float)
    venue_longitude: Mapped[float | None] = mapped_column(Float)
    # Null name: the meeting's mail is signed with the notification service's ORGANIZER_* settings.
    organizer_name: Mapped[str | None] = mapped_column(String(200))
    organizer_unit: Mapped[str | None] = mapped_column(String(200))
    organizer_signatory_name: Mapped[str | None] = mapped_column(String(200))
    organizer_signatory_title: Mapped[str | None] = mapped_column(String(200))
    in_person_capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    agency_in_person_quota: Mapped[int | None] = mapped_column(Integer)
    online: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    health_protocol: Mapped[str | None] = mapped_column(Text)
    registration_closes_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)
    # How participants are told, in order, comma-separated (shared MESSAGE_CHANNELS): "email,sms" unless set.
    channels: Mapped[str] = mapped_column(String(64), nullable=False, default="email,sms", server_default="email,sms")
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # [{"before": "P1D", "at": "09:00"}, ...] as domain.reminders.normalized writes them.
    reminders: Mapped[list] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="scheduled")
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    # Lesson hours (JP) printed on the meeting's certificates; None: the certificates state none.
    certificate_hours: Mapped[int | None] = mapped_column(Integer)
    # Once a Zoom report has arrived, online "attended" means at least this many minutes in the meeting.
    min_online_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # Set by the first stream.presence_recorded: from then on online attendance is read from the report.
    presence_reported_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)
    created_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)


_active = column("status") != "cancelled"


class DoorToken(Base):
    """A token for the phones at one meeting's door: check-in, look-up, undo and the count, nothing else."""

    __tablename__ = "door_tokens"
    __table_args__ = (Index("ix_door_tokens_event", "event_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), nullable=False)
    label: Mapped[str] = mapped_column(String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)


class Registration(Base):
    """One participant of one agency at one meeting, with their seat, waitlist place and attendance."""

    __tablename__ = "registrations"
    __table_args__ = (
        # Safety nets behind the checks made under the meeting lock: one active registration per
        # email and per NIP at a meeting; a cancelled person may register again.
        Index("uq_registrations_active_email", "event_id", "email", unique=True, sqlite_where=_active, postgresql_where=_active),
        Index("uq_registrations_active_nip", "event_id", "nip", unique=True, sqlite_where=_active, postgresql_where=_active),
        Index("ix_registrations_event_order", "event_id", "created_at", "id"),
        Index("ix_registrations_event_status", "event_id", "status", "attendance_mode", "agency_id"),
        Index("ix_registrations_waitlist", "event_id", "status", "waitlist_position"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), nullable=False)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    nip: Mapped[str | None] = mapped_column(String(18))
    position: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(2), nullable=False, default="id")
    attendance_mode: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    check_in_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)
    online_joined_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)
    online_join_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Minutes in the Zoom meeting from participant reports (overlaps once); None: in no report.
    online_minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)

    @property
    def participant(self) -> Registration:
        """The person's fields live on the registration; the API nests them under `participant`."""
        return self


class CheckInReversal(Base):
    """An undone check-in: which one, when, and who undid it (the organizer, or which door token)."""

    __tablename__ = "check_in_reversals"
    __table_args__ = (Index("ix_check_in_reversals_registration", "registration_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), nullable=False)
    event_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), nullable=False)
    checked_in_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    reverted_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    reverted_by: Mapped[str] = mapped_column(String(10), nullable=False)  # "admin" or "door"
    door_token_id: Mapped[str | None] = mapped_column(ForeignKey("door_tokens.id"))


class Certificate(Base):
    """A certificate of attendance: one per registration, numbered 1..N without gaps per meeting.

    The id is random (not a UUID) because it is public: it is the verification link on the paper.
    What the certificate says is copied at issue, so a later edit of the registration or the meeting
    does not change a certificate already sent.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("event_id", "seq", name="uq_certificates_event_seq"),
        UniqueConstraint("registration_id", name="uq_certificates_registration"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("meetings.id"), nullable=False)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), nullable=False)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[str] = mapped_column(String(100), nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    nip: Mapped[str | None] = mapped_column(String(18))
    position: Mapped[str | None] = mapped_column(String(200))
    agency_name: Mapped[str] = mapped_column(String(200), nullable=False)
    meeting_title: Mapped[str] = mapped_column(String(300), nullable=False)
    meeting_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    hours: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTC_DATETIME)


class IdempotentResponse(Base):
    """The first answer given to an agency's Idempotency-Key, replayed when the same request comes again."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("agency_id", "key", name="uq_idempotency_agency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), nullable=False)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(Integer, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTC_DATETIME, nullable=False)


outbox_table, processed_table = define_messaging_tables(Base.metadata)
