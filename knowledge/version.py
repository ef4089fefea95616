"""The knowledge version: one counter row that every change to the knowledge base moves.

Each process's search index compares it before searching and reloads what changed, so an ingest or an
erasure in one process is seen by all of them.
"""

from __future__ import annotations

from sqlalchemy import select
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


# A new installation's first load of its knowledge folder (`KnowledgeVersion.first_load`).
FIRST_LOAD_STARTED = "started"
FIRST_LOAD_DONE = "done"


async def first_load(session: AsyncSession) -> str | None:
    """How far a new installation's first load of its knowledge folder got: None (never started here),
    FIRST_LOAD_STARTED (cut short, or under way) or FIRST_LOAD_DONE."""
    return await session.scalar(select(KnowledgeVersion.first_load).where(KnowledgeVersion.id == _VERSION_ROW))


async def note_first_load(session: AsyncSession, state: str) -> None:
    """Record the first load's state (the version row is created at 0 when no change made it yet)."""
    table = KnowledgeVersion.__table__
    statement = upsert_insert(session, table).values(id=_VERSION_ROW, version=0, updated_at=utcnow(), first_load=state)
    await session.execute(statement.on_conflict_do_update(index_elements=[table.c.id], set_={"first_load": state}))
