"""The knowledge version: one counter row that every change to the knowledge base moves.

Each process's search index compares it before searching and reloads what changed, so an ingest or an
erasure in one process is seen by all of them.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KnowledgeVersion, utcnow


async def bump_version(session: AsyncSession) -> None:
    """Tell every process that the knowledge base changed (call inside the changing transaction)."""
    result = await session.execute(
        update(KnowledgeVersion)
        .where(KnowledgeVersion.id == 1)
        .values(version=KnowledgeVersion.version + 1, updated_at=utcnow())
    )
    if not result.rowcount:
        session.add(KnowledgeVersion(id=1, version=1))
        await session.flush()
