"""Knowledge base: documents (pilots, expert profiles, reports, tools), their chunks and pilots."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, utcnow


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable id from the source (front matter `id`, or path-derived), unique across the knowledge base.
    source_id: Mapped[str] = mapped_column(String(200), unique=True)
    source_path: Mapped[str] = mapped_column(String(500), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # pilot, expert, report, tool
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    themes: Mapped[list] = mapped_column(default=list)
    countries: Mapped[list] = mapped_column(default=list)
    sectors: Mapped[list] = mapped_column(default=list)
    organisations: Mapped[list] = mapped_column(default=list)
    published_on: Mapped[date | None]
    meta: Mapped[dict] = mapped_column(default=dict)
    # For expert profiles that belong to a chat member (removed from search on erasure).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True, order_by="Chunk.ordinal"
    )


class Chunk(Base):
    __tablename__ = "chunks"
    __table_args__ = (UniqueConstraint("document_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    # float32 little-endian vector, normalised to unit length.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)

    document: Mapped[Document] = relationship(back_populates="chunks")


class Pilot(Base):
    """A pilot project's structured facts; its text lives in the linked Document."""

    __tablename__ = "pilots"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    themes: Mapped[list] = mapped_column(default=list)
    countries: Mapped[list] = mapped_column(default=list)
    partners: Mapped[list] = mapped_column(default=list)
    status: Mapped[str | None] = mapped_column(String(20))
    contact: Mapped[str | None] = mapped_column(String(200))
    started_on: Mapped[date | None]
    ended_on: Mapped[date | None]


class KnowledgeVersion(Base):
    """A counter bumped on every ingest, so other processes know to refresh their search index."""

    __tablename__ = "knowledge_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A new installation's first load of its knowledge folder: "started" until it has finished ("done"), so
    # a first load cut short (the bot stopped a few seconds after its first start) is finished at the next
    # start instead of leaving a part of the folder for good. None: never started here (or an older database).
    first_load: Mapped[str | None] = mapped_column(String(20))
