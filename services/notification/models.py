"""Tables of the notification service: meetings and contacts it needs, notifications and their delivery attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db_types import UtcDateTime, named_metadata
from shared.messaging.outbox import define_processed_table

ID = String(64)


class Base(DeclarativeBase):
    metadata = named_metadata()


class Meeting(Base):
    """The latest snapshot of a meeting seen on the bus (event.created/updated or a registration event)."""

    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The MeetingSchema dump (JSON): templates read it as it was sent, so no field is lost on the way.
    snapshot: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class MeetingLogo(Base):
    """The organizer's logo of a meeting, uploaded to this service (the one that mails it) and checked on the way in."""

    __tablename__ = "meeting_logos"

    event_id: Mapped[str] = mapped_column(ID, primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Contact(Base):
    """One registration as far as messaging needs it: how to reach the person and what they are entitled to."""

    __tablename__ = "contacts"

    registration_id: Mapped[str] = mapped_column(ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(ID)
    full_name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(8), default="id")
    position: Mapped[str | None] = mapped_column(String(300))
    agency_name: Mapped[str | None] = mapped_column(String(300))
    attendance_mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    check_in_code: Mapped[str | None] = mapped_column(String(64))
    join_url: Mapped[str | None] = mapped_column(String(2000))
    youtube_url: Mapped[str | None] = mapped_column(String(2000))
    link_revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # occurred_at of the registration event that set status/mode: a late older event does not undo a newer one.
    last_event_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_contacts_event_status", "event_id", "status"),)


class Notification(Base):
    """One message to one recipient over one channel because of one bus event; sent at most once."""

    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source_event_id: Mapped[str] = mapped_column(String(36))
    source_event_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(320))
    registration_id: Mapped[str] = mapped_column(ID)
    event_id: Mapped[str] = mapped_column(ID)
    locale: Mapped[str] = mapped_column(String(8))
    # sending (created claimed by the delivery that sends it) -> sent | retrying | failed (permanent) | dead (retries used up);
    # a retrying row is claimed again (sending) by the next delivery of its bus message or by a re-drive.
    status: Mapped[str] = mapped_column(String(16))
    # Everything the templates need (JSON), so a re-drive renders the same message without the bus event.
    context: Mapped[str] = mapped_column(Text)
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(200))
    # SMS only: how many segments the provider bills (GSM-7: 160 characters each, UCS-2: 70).
    segments: Mapped[int | None] = mapped_column(Integer)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # From the provider's delivery receipts (WhatsApp, SMS gateway); a receipt never moves status backwards.
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # WhatsApp with sms_fallback: "armed" until the SMS stand-in is created, then "done" (set once, by one worker).
    fallback: Mapped[str | None] = mapped_column(String(8))
    # The SMS stand-in: the id of the WhatsApp notification it replaces.
    fallback_for: Mapped[str | None] = mapped_column(String(36))

    attempts: Mapped[list[Attempt]] = relationship(order_by="Attempt.number", lazy="raise")

    __table_args__ = (
        UniqueConstraint("source_event_id", "channel", "recipient", name="uq_notifications_source_channel_recipient"),
        Index("ix_notifications_registration_id", "registration_id"),
        Index("ix_notifications_event_id_status", "event_id", "status"),
        Index("ix_notifications_status", "status"),
        # Receipts name the provider's message id.
        Index("ix_notifications_provider_id", "provider_id"),
        Index("ix_notifications_fallback_status", "fallback", "status"),
        Index("ix_notifications_fallback_for", "fallback_for"),
    )


class Attempt(Base):
    """One try to hand a notification to the SMTP server or SMS provider."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[str] = mapped_column(String(36), ForeignKey("notifications.id"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # sent | transient | permanent
    error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_attempts_notification_id", "notification_id"),)


class EarlyReceipt(Base):
    """A receipt that arrived before the send outcome naming its provider id was committed.

    WhatsApp can report `sent`/`delivered`/`read` within milliseconds of accepting a message, while the
    worker is still writing that it sent it. Such a receipt waits here and is applied when the outcome
    is recorded, or by the scheduler's sweep; one still unknown after RECEIPT_WAIT_DAYS belongs to
    another system on the same account and is dropped.
    """

    __tablename__ = "early_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider_id: Mapped[str] = mapped_column(String(200))
    # The channels of the webhook it came through ("whatsapp", "sms"), comma-separated.
    channels: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_early_receipts_provider_id", "provider_id"), Index("ix_early_receipts_received_at", "received_at"))


class Reminder(Base):
    """One reminder of a meeting at one moment; at that moment it becomes one notification per (channel, recipient).

    Its id is the `source_event_id` of those notifications, so the unique (source, channel, recipient)
    key makes each reminder reach each person once per channel, whichever worker sends it and however
    often it is claimed again after a crash.
    """

    __tablename__ = "reminders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(ID)
    reminder_key: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # armed -> sending (claimed, lease in claimed_until) -> sent | skipped (moment gone) | cancelled (moved, called off)
    status: Mapped[str] = mapped_column(String(16))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Set by the first claim: a fan-out begun in time is finished after a crash, one never begun is not started late.
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    passes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("event_id", "reminder_key", "due_at", name="uq_reminders_event_key_due"),
        Index("ix_reminders_status_due_at", "status", "due_at"),
    )


class Agency(Base):
    """An agency as its mail needs it (agency.updated): where the digest goes, in which language, and whether it goes at all."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    contact_email: Mapped[str] = mapped_column(String(320))
    digest_enabled: Mapped[bool] = mapped_column(Boolean)
    locale: Mapped[str] = mapped_column(String(8))
    # The producer's updated_at of the snapshot kept: an older one arriving late changes nothing.
    version_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class DigestItem(Base):
    """One change for an agency's people, waiting for (or sent in) that agency's digest.

    Its id is the bus event's, so a redelivered event adds nothing; `digest_id` is set when a digest
    takes it, in the same transaction that creates the digest, so an item is in exactly one digest.
    """

    __tablename__ = "digest_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ID)
    digest_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(ID)
    registration_id: Mapped[str] = mapped_column(ID)
    # The domain.digest item (JSON): who, which meeting, what happened.
    data: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_digest_items_digest_agency", "digest_id", "agency_id"),
        Index("ix_digest_items_event_id", "event_id"),
    )


class AgencyDigest(Base):
    """One digest mail of one agency for one window; unique per (agency, window), so two workers make one.

    Its id is the `source_event_id` of its notification row, which makes the mail itself once-only
    the way a reminder's is.
    """

    __tablename__ = "agency_digests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ID)
    window_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # armed -> sending (claimed, lease in claimed_until) -> sent | dropped (agency turned it off meanwhile)
    status: Mapped[str] = mapped_column(String(16))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    passes: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("agency_id", "window_start", name="uq_agency_digests_agency_window"),
        Index("ix_agency_digests_status_claimed_until", "status", "claimed_until"),
    )


processed_table = define_processed_table(Base.metadata)
