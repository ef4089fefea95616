"""The knowledge version: one counter row that every change to the knowledge base moves.

Each process's search index compares it before searching and reloads what changed, so an ingest or an
erasure in one process is seen by all of them.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KnowledgeVersion, utcnow
from storage.upsert import upsert_insert

_VERSION_ROW = 1


async def bump_version(session: AsyncSession) -> None:
    """Tell every process that the knowledge base changed (call inside the changing transaction).

    One upsert: the first change on a new database creates the row, and two processes making that
    first change at once both count (the second waits for the first's row, then adds one to it)
    instead of colliding on the row's key."""
    now = utcnow()
    table = KnowledgeVersion.__table__
    statement = upsert_insert(session, table).values(id=_VERSION_ROW, version=1, updated_at=now)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.id], set_={"version": table.c.version + 1, "updated_at": now}
        )
    )
