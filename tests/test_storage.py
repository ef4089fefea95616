from datetime import datetime, timedelta, timezone

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



def test_head_read_from_the_revision_files_is_alembics():
    assert script_head() == head_revision()


async def test_a_database_at_head_is_not_migrated_again(database_url: str, monkeypatch: pytest.MonkeyPatch):
    db = Database(database_url)
    upgrades: list[object] = []
    upgrade = storage.database._upgrade_to_head
    monkeypatch.setattr(storage.database, "_upgrade_to_head", lambda connection: (upgrades.append(1), upgrade(connection)))
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
    upgrades: list[object] = []
    upgrade = storage.database._upgrade_to_head
    monkeypatch.setattr(storage.database, "_upgrade_to_head", lambda connection: (upgrades.append(1), upgrade(connection)))
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
