"""An INSERT that can say what to do on a clash (`on_conflict_do_nothing` / `_do_update`), in the dialect of
the session's database: SQLite and PostgreSQL both have one, with the same API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


def upsert_insert(session: AsyncSession, table: Any) -> Any:  # noqa: ANN401 - a dialect's Insert construct
    """`insert(table)` of the session's dialect (imported here: a bot on SQLite never loads PostgreSQL's)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as dialect
    else:
        from sqlalchemy.dialects import sqlite as dialect
    return dialect.insert(table)
