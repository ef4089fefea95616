"""Introductions between members and the knowledge-transfer exchanges they and others create."""

from __future__ import annotations

from datetime import datetime

from typing import Any

from sqlalchemy import ForeignKey, Index, String, Table, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, utcnow

OPEN_REQUEST = "state = 'requested'"


class Introduction(Base):
    __tablename__ = "introductions"
    __table_args__ = (
        Index("ix_introductions_pair_state", "requester_id", "target_id", "state"),
        # One open request per pair, guarded by the database: two clicks or two processes add one row.
        Index(
            "uq_introductions_open_pair",
            "requester_id",
            "target_id",
            unique=True,
            # Its PostgreSQL `WHERE` is added when the table is created there (below): naming a PostgreSQL
            # option here would import SQLAlchemy's PostgreSQL dialect (35 ms) into every bot on SQLite.
            sqlite_where=text(OPEN_REQUEST),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable: an erased member's introductions stay, anonymised, so indicators remain correct.
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    # requested -> accepted | declined | expired | withdrawn ; accepted -> met | not_met
    state: Mapped[str] = mapped_column(String(20), default="requested", index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    followup_due_at: Mapped[datetime | None]
    outcome_at: Mapped[datetime | None]
    usefulness: Mapped[int | None]  # both sides' ratings combined: their mean, rounded half up
    # Each side rates the meeting 1-5 for itself; indicators count every rating.
    requester_usefulness: Mapped[int | None]
    target_usefulness: Mapped[int | None]
    # Snapshot of both sides' profile at request time (organisation, sector, country), for indicators.
    requester_snapshot: Mapped[dict] = mapped_column(default=dict)
    target_snapshot: Mapped[dict] = mapped_column(default=dict)
    platform: Mapped[str | None] = mapped_column(String(20))

    transitions: Mapped[list[IntroductionTransition]] = relationship(
        back_populates="introduction", cascade="all, delete-orphan", order_by="IntroductionTransition.at"
    )


class IntroductionTransition(Base):
    __tablename__ = "introduction_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    introduction_id: Mapped[int] = mapped_column(ForeignKey("introductions.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))

    introduction: Mapped[Introduction] = relationship(back_populates="transitions")


class Exchange(Base):
    """One knowledge-transfer interaction. Metadata only: never any message text."""

    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(primary_key=True)
    # intro_accepted, meeting_confirmed, question_answered, thread_reply, event_attended, ...
    kind: Mapped[str] = mapped_column(String(40), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    platform: Mapped[str | None] = mapped_column(String(20))
    guild_id: Mapped[str | None] = mapped_column(String(100))
    channel_id: Mapped[str | None] = mapped_column(String(100))
    member_a_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    member_b_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    organisation_a: Mapped[str | None] = mapped_column(String(200))
    sector_a: Mapped[str | None] = mapped_column(String(40))
    country_a: Mapped[str | None] = mapped_column(String(2))
    organisation_b: Mapped[str | None] = mapped_column(String(200))
    sector_b: Mapped[str | None] = mapped_column(String(40))
    country_b: Mapped[str | None] = mapped_column(String(2))
    cross_organisation: Mapped[bool] = mapped_column(default=False)
    cross_sector: Mapped[bool] = mapped_column(default=False)
    cross_border: Mapped[bool] = mapped_column(default=False)
    with_source: Mapped[bool] = mapped_column(default=False)
    introduction_id: Mapped[int | None] = mapped_column(ForeignKey("introductions.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    # Idempotency: the same platform event or state change is recorded once.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)


@event.listens_for(Introduction.__table__, "before_create")
def _open_pair_partial_on_postgresql(table: Table, connection: Any, **_: object) -> None:  # noqa: ANN401
    """The one-open-request index is partial on PostgreSQL as on SQLite (migration 0003 creates it so)."""
    if connection.dialect.name == "postgresql":
        index = next(i for i in table.indexes if i.name == "uq_introductions_open_pair")
        index.dialect_options["postgresql"]["where"] = text(OPEN_REQUEST)
