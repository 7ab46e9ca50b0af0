"""Tables of the streaming service: meetings and their channels, who may watch, personal links, joins."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    column,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db_types import UtcDateTime, named_metadata
from shared.messaging.outbox import define_messaging_tables

ID = String(64)


class Base(DeclarativeBase):
    metadata = named_metadata()


class Meeting(Base):
    """A meeting as registration announced it; a row may exist before that (a channel set early)."""

    __tablename__ = "meetings"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    timezone: Mapped[str | None] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The last meeting snapshot seen on the bus (JSON), forwarded in stream.link_issued.
    snapshot: Mapped[str | None] = mapped_column(Text)
    snapshot_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Set once by event.cancelled (or a snapshot saying so) and never cleared: cancelling is final.
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Channel(Base):
    """The Zoom or YouTube channel of a meeting; links resolve to it when opened, so it may change."""

    __tablename__ = "channels"

    event_id: Mapped[str] = mapped_column(ID, ForeignKey("meetings.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    meeting_id: Mapped[str | None] = mapped_column(String(32))
    passcode: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Participant(Base):
    """Read model of one registration, built from registration events; `eligible` = may watch online."""

    __tablename__ = "participants"

    registration_id: Mapped[str] = mapped_column(ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(ID, ForeignKey("meetings.id"))
    agency_id: Mapped[str | None] = mapped_column(ID)
    agency_name: Mapped[str | None] = mapped_column(String(300))
    full_name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(8), default="id")
    nip: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[str | None] = mapped_column(String(300))
    attendance_mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    # occurred_at of the event that set this state: an older event arriving late is not applied.
    last_event_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_participants_event_eligible", "event_id", "eligible"),)


class Link(Base):
    """A personal join link; only the SHA-256 of its token is stored. At most one active per registration."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    registration_id: Mapped[str] = mapped_column(ID)
    event_id: Mapped[str] = mapped_column(ID, ForeignKey("meetings.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index(
            "uq_links_active_registration",
            "registration_id",
            unique=True,
            sqlite_where=column("revoked_at").is_(None),
            postgresql_where=column("revoked_at").is_(None),
        ),
        Index("ix_links_event_id", "event_id"),
    )


class Join(Base):
    """One visit of a personal link that led to the live meeting."""

    __tablename__ = "joins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    link_id: Mapped[int] = mapped_column(Integer, ForeignKey("links.id"))
    registration_id: Mapped[str] = mapped_column(ID)
    event_id: Mapped[str] = mapped_column(ID)
    joined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    channel_kind: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (Index("ix_joins_event_registration", "event_id", "registration_id"),)


class PresenceInterval(Base):
    """One stay of a registration in the Zoom meeting, from a participant report.

    The natural key makes a report imported twice change nothing, while a second, different report
    (another export, the JSON of a second session) adds its stays.
    """

    __tablename__ = "presence_intervals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ID, ForeignKey("meetings.id"))
    registration_id: Mapped[str] = mapped_column(ID)
    joined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    left_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(16))
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("event_id", "registration_id", "joined_at", "left_at", name="uq_presence_intervals_stay"),)


class PresenceTotal(Base):
    """The minutes last announced for a registration (stream.presence_recorded goes out only when they change)."""

    __tablename__ = "presence_totals"

    registration_id: Mapped[str] = mapped_column(ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(ID, ForeignKey("meetings.id"))
    minutes: Mapped[int] = mapped_column(Integer)
    first_join_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_presence_totals_event", "event_id"),)


outbox_table, processed_table = define_messaging_tables(Base.metadata)
