"""Alembic environment: runs on the connection handed over by storage.database, or on a URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from storage.models import Base

target_metadata = Base.metadata


def _configure(connection) -> None:  # noqa: ANN001 - a sync Connection
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_url(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _configure(connection)
else:  # the `alembic` command line, e.g. `alembic revision --autogenerate`
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get(
        "LIGHTHOUSE_DATABASE_URL", "sqlite+aiosqlite:///lighthouse.db"
    )
    asyncio.run(_run_with_url(url))
