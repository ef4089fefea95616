"""Questions members put to the community, and the answers other members give them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class CommunityQuestion(Base):
    __tablename__ = "community_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable: an erased member's question stays, without its text, so the indicators remain correct.
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(10))
    themes: Mapped[list] = mapped_column(default=list)
    # Titles of the closest knowledge the bot found when the question was asked.
    closest: Mapped[list] = mapped_column(default=list)
    # Organisation, sector and country of the asker when they asked (the indicators count these).
    asker_snapshot: Mapped[dict] = mapped_column(default=dict)
    # open -> closed | removed
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    closed_at: Mapped[datetime | None]
    platform: Mapped[str | None] = mapped_column(String(20))
    # Where the bot posted it: the channel and the thread it started there (Slack ts, Discord thread id).
    channel_id: Mapped[str | None] = mapped_column(String(100))
    thread_id: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_community_questions_thread", "platform", "thread_id"),)


class CommunityAnswer(Base):
    __tablename__ = "community_answers"
    # A thread reply delivered twice (a retry, two processes) is one answer.
    __table_args__ = (UniqueConstraint("platform", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("community_questions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(10))
    author_snapshot: Mapped[dict] = mapped_column(default=dict)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    platform: Mapped[str | None] = mapped_column(String(20))
    message_id: Mapped[str | None] = mapped_column(String(100))
    helpful_at: Mapped[datetime | None]
    # None -> asked -> kept | declined ; kept -> withdrawn
    keep_state: Mapped[str | None] = mapped_column(String(20))
    kept_at: Mapped[datetime | None]


class CommunityChannel(Base):
    """The channel, per platform, where questions to the community are posted."""

    __tablename__ = "community_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20), unique=True)
    channel_id: Mapped[str] = mapped_column(String(100))
    guild_id: Mapped[str | None] = mapped_column(String(100))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommunityNotice(Base):
    """A member told about a question that matches their expertise: at most once per question, and at
    most a few a week (the count comes from these rows)."""

    __tablename__ = "community_notices"
    __table_args__ = (UniqueConstraint("member_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("community_questions.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
