import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

import storage.database
from storage.database import Database, alembic_config, head_revision, script_head
from storage.models import Base, Job, Member


async def test_migration_from_empty_creates_every_table(database_url: str):
    db = Database(database_url)
    try:
        assert await db.current_revision() is None
        await db.migrate()
        assert await db.current_revision() == head_revision()
        async with db.engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert set(Base.metadata.tables) <= tables
        await db.migrate()  # a second run is a no-op
        assert await db.current_revision() == head_revision()
    finally:
        await db.dispose()


async def test_the_models_create_the_one_open_request_index_partial_on_both_databases(database_url: str):
    """The models name the index's PostgreSQL condition only when a table is created there (so a bot on
    SQLite never imports SQLAlchemy's PostgreSQL dialect): created from the models, it is partial on both."""
    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
            if connection.dialect.name == "postgresql":
                query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_introductions_open_pair'"
            else:
                query = "SELECT sql FROM sqlite_master WHERE name = 'uq_introductions_open_pair'"
            definition = (await connection.exec_driver_sql(query)).scalar()
        assert "WHERE" in definition.upper() and "requested" in definition
    finally:
        await db.dispose()


async def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'x.db'}")
    try:
        await db.migrate()
        async with db.engine.connect() as connection:
            assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    finally:
        await db.dispose()


async def test_datetimes_come_back_aware_and_in_utc(core):
    due = datetime(2026, 12, 3, 14, 0, tzinfo=timezone(timedelta(hours=1)))
    async with core.db.session() as session, session.begin():
        session.add(Job(kind="k", key="k1", due_at=due))
    async with core.db.session() as session:
        job = (await session.execute(select(Job))).scalar_one()
    assert job.due_at == due and job.due_at.tzinfo is not None
    assert job.due_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(core):
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError):
        async with core.db.session() as session, session.begin():
            session.add(Member(display_name="x", intro_paused_until=datetime(2026, 1, 1)))



def count_upgrades(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gets one item for every time Alembic's upgrade runs."""
    upgrades: list[int] = []
    upgrade = storage.database._upgrade_to_head

    def counted(connection: object) -> None:
        upgrades.append(1)
        upgrade(connection)

    monkeypatch.setattr(storage.database, "_upgrade_to_head", counted)
    return upgrades


def test_head_read_from_the_revision_files_is_alembics():
    assert script_head() == head_revision()


async def test_a_database_at_head_is_not_migrated_again(database_url: str, monkeypatch: pytest.MonkeyPatch):
    db = Database(database_url)
    upgrades = count_upgrades(monkeypatch)
    try:
        assert not await db.at_head()
        await db.migrate()  # a new database: upgraded
        assert upgrades == [1] and await db.at_head()
        await db.migrate()  # a restart: one SELECT, no Alembic
        assert upgrades == [1]
        assert await db.current_revision() == head_revision()
    finally:
        await db.dispose()


async def test_a_database_behind_is_still_upgraded(database_url: str, monkeypatch: pytest.MonkeyPatch):
    from alembic import command
    from alembic.script import ScriptDirectory

    db = Database(database_url)
    upgrades = count_upgrades(monkeypatch)
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head_revision()).down_revision
    try:
        async with db.engine.begin() as connection:  # a database one revision behind, as an older bot left it
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), previous))
        assert await db.current_revision() == previous and not await db.at_head()
        await db.migrate()
        assert upgrades == [1]
        assert await db.current_revision() == head_revision()
        async with db.engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert set(Base.metadata.tables) <= tables
    finally:
        await db.dispose()


async def test_a_restart_on_a_current_database_imports_no_alembic(tmp_path):
    """What a restart imports (the bot, the Slack adapter) and its migration check on a current database
    leave out Alembic, the calendar and Markdown libraries that only some commands need, PyYAML (only
    reading a knowledge file needs it) and, on SQLite, SQLAlchemy's PostgreSQL dialect."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'current.db'}"
    db = Database(url)
    try:
        await db.migrate()
    finally:
        await db.dispose()
    code = (
        "import asyncio, sys, adapters.runner, adapters.slack.app\n"
        "from storage.database import Database\n"
        "async def main():\n"
        "    db = Database(sys.argv[1])\n"
        "    await db.migrate()\n"
        "    await db.dispose()\n"
        "asyncio.run(main())\n"
        "unused = ('alembic', 'icalendar', 'rich.markdown', 'yaml', 'sqlalchemy.dialects.postgresql')\n"
        "print([m for m in unused if m in sys.modules])\n"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code, url], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
