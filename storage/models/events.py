"""Events, RSVPs, attendances, digest schedules and digest runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, utcnow


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    themes: Mapped[list] = mapped_column(default=list)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")  # scheduled, cancelled
    # iCalendar SEQUENCE: bumped on every edit and on cancellation, so calendar apps take the change.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None]

    rsvps: Mapped[list[RSVP]] = relationship(back_populates="event", cascade="all, delete-orphan")


class RSVP(Base):
    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("event_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # going, interested, not_going
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="rsvps")


class EventAttendance(Base):
    """A member who attended an event, recorded after it started (by themselves or a coordinator).

    One row per event and member: recording twice, from any process, stores one. The row is what the
    event's `event_attended` exchange was written from (docs/indicators.md)."""

    __tablename__ = "event_attendances"
    __table_args__ = (UniqueConstraint("event_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who recorded it: the member themselves, or the coordinator who confirmed the list.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class DigestSchedule(Base):
    __tablename__ = "digest_schedules"
    __table_args__ = (UniqueConstraint("platform", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[str] = mapped_column(String(100))
    frequency: Mapped[str] = mapped_column(String(10), default="weekly")  # daily, weekly, monthly
    weekday: Mapped[int | None]  # 0 = Monday, for weekly digests
    time_of_day: Mapped[str] = mapped_column(String(5), default="09:00")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestRun(Base):
    """A digest for one channel and one period; the unique key makes it happen once."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("platform", "channel_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[str] = mapped_column(String(100))
    period_key: Mapped[str] = mapped_column(String(40))
    # claimed -> posted | failed | skipped; a run left "claimed" may have been posted and is never resent.
    status: Mapped[str] = mapped_column(String(20), default="claimed")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[datetime | None]
    message_ref: Mapped[str | None] = mapped_column(String(200))
    covered_from: Mapped[datetime | None]
    covered_to: Mapped[datetime | None]
    detail: Mapped[str | None] = mapped_column(String(300))  # why it failed or was skipped
