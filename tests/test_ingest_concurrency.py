"""Two ingests, or two first changes of the knowledge version, at once: nothing collides, nothing is lost.

Each side has its own engine (its own connections), as two processes would; the last test runs two real
`python main.py ingest` processes.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from knowledge.ingest import ingest
from knowledge.version import bump_version
from storage.database import Database
from storage.lookups import get_or_create_organisation
from storage.models import Document, KnowledgeVersion, Member, Organisation, PlatformIdentity
from tests.knowledge_fakes import FakeEncoder, pilot, small_knowledge_base

ROOT = Path(__file__).resolve().parent.parent


async def count(db: Database, column) -> int:  # noqa: ANN001
    async with db.session() as session:
        return int((await session.execute(select(func.count(column)))).scalar_one())


async def test_two_ingests_at_once_store_everything_once(core, database_url, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    first, second = Database(database_url), Database(database_url)
    waited: list[str] = []
    try:
        reports = await asyncio.gather(
            ingest(first, folder, FakeEncoder(), waiting=lambda: waited.append("first")),
            ingest(second, folder, FakeEncoder(), waiting=lambda: waited.append("second")),
        )
    finally:
        await first.dispose()
        await second.dispose()
    assert [r.errors for r in reports] == [[], []]
    # One stored everything; the other waited for it and found it all unchanged.
    assert sorted((len(r.added), r.unchanged) for r in reports) == [(0, 10), (10, 0)]
    assert len(waited) == 1
    assert await count(core.db, Document.id) == 10
    assert await count(core.db, Organisation.id) == 3
    assert await count(core.db, Member.id) == await count(core.db, PlatformIdentity.id) == 4


async def test_a_failed_ingest_lets_go_of_the_lock(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")

    class Broken(FakeEncoder):
        def encode(self, texts, *, batch_size=32):  # noqa: ANN001, ANN202
            raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError):
        await ingest(core.db, folder, Broken())
    waited: list[bool] = []
    report = await asyncio.wait_for(ingest(core.db, folder, FakeEncoder(), waiting=lambda: waited.append(True)), 60)
    assert waited == [] and len(report.added) == 10


async def test_an_organisation_created_by_two_sessions_at_once_is_one_row(core, database_url):
    other = Database(database_url)
    try:
        async with core.db.session() as one, other.session() as two:
            await one.begin()
            await two.begin()
            mine = await get_or_create_organisation(one, "Nordby  Municipality", sector="municipality")
            # The second waits for the first's uncommitted row (PostgreSQL) or for the write lock (SQLite).
            theirs = asyncio.ensure_future(get_or_create_organisation(two, "nordby municipality", country="DK"))
            await asyncio.sleep(0.3)
            await one.commit()
            found = await theirs
            await two.commit()
    finally:
        await other.dispose()
    assert found.id == mine.id
    async with core.db.session() as session:
        rows = (await session.execute(select(Organisation))).scalars().all()
    assert [(o.name, o.sector, o.country) for o in rows] == [("Nordby Municipality", "municipality", "DK")]


async def test_the_first_version_change_from_two_processes_at_once_counts_both(core, database_url):
    async with core.db.session() as session:
        assert (await session.execute(select(KnowledgeVersion))).scalars().all() == []  # a new database
    other = Database(database_url)
    try:
        async with core.db.session() as one, other.session() as two:
            await one.begin()
            await two.begin()
            await bump_version(one)
            theirs = asyncio.ensure_future(bump_version(two))  # waits for the first's row
            await asyncio.sleep(0.3)
            await one.commit()
            await theirs
            await two.commit()
        bumps = [asyncio.ensure_future(bump_in_own_transaction(db)) for db in (core.db, other) * 10]
        await asyncio.gather(*bumps)
    finally:
        await other.dispose()
    async with core.db.session() as session:
        assert [(v.id, v.version) for v in (await session.execute(select(KnowledgeVersion))).scalars()] == [(1, 22)]


async def bump_in_own_transaction(db: Database) -> None:
    async with db.session() as session, session.begin():
        await bump_version(session)


def run_ingest(database_url: str, folder: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": database_url, "LIGHTHOUSE_INGEST_DEMO_ON_EMPTY": "false"}
    return subprocess.Popen(
        [sys.executable, "main.py", "ingest", str(folder)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


@pytest.mark.slow
async def test_two_ingest_processes_at_once(core, database_url, tmp_path):
    folder = tmp_path / "kb"
    for number in range(3):
        pilot(folder, f"p{number}", f"Pilot {number}", f"## Summary\nPilot {number} text.", organisations=["Nordby Municipality"])
    (folder / "organisations.yaml").write_text('- name: "Nordby Municipality"\n  country: DK\n', encoding="utf-8")
    processes = [run_ingest(database_url, folder) for _ in range(2)]
    outputs = [await asyncio.to_thread(process.communicate, timeout=600) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert not any("Traceback" in output for output, _ in outputs)
    assert await count(core.db, Document.id) == 3
    assert await count(core.db, Organisation.id) == 1
