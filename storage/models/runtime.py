"""Operational state shared by all bot processes: jobs, reply pages, platform delivery receipts, long button
commands."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Job(Base):
    """Work due at a time (a reminder, an expiry, a follow-up); `key` makes each job exist once."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    due_at: Mapped[datetime]
    payload: Mapped[dict] = mapped_column(default=dict)
    # pending -> claimed [-> sending] -> done | failed | skipped | uncertain; pending -> cancelled
    status: Mapped[str] = mapped_column(String(20), default="pending")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyPage(Base):
    """The rest of a long answer, shown by a "More" button (survives restarts, any process can serve it)."""

    __tablename__ = "reply_pages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    pages: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # What a bare `more` continues: the page of this answer its member saw last (the first page is 1), and
    # when, in the member's own order (the answer served most recently has the highest number; a counter,
    # not a time, so two answers served in the same instant are still ordered).
    shown: Mapped[int] = mapped_column(default=1, server_default="1")
    served_order: Mapped[int] = mapped_column(default=0, server_default="0")
    # The highest page a "More" button has posted: the button of a page already posted does not post it again.
    button_page: Mapped[int] = mapped_column(default=1, server_default="1")


class DeliveryReceipt(Base):
    """A platform delivery seen once (Slack event_id, Discord interaction id): retries are dropped."""

    __tablename__ = "delivery_receipts"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class StoredCommand(Base):
    """A command too long for a platform's component id (Discord allows 100 characters), kept under a short
    content hash so a button or form on an old message still knows what it stands for, in any process."""

    __tablename__ = "stored_commands"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    command: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
