"""Erasure tombstones: what an erased member was known by, as one-way hashes, so an ingest cannot bring
them back (see docs/privacy.md, "Erasure")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class ErasureTombstone(Base):
    """One hash per key an erased member was known by (a chat account, an expert profile's id); never
    the key itself, and nothing that links two hashes to one person."""

    __tablename__ = "erasure_tombstones"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
