"""First start ingests the knowledge folder once; `python main.py ingest` reports problems by path."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

import knowledge.cli as cli
from knowledge.service import KnowledgeService
from storage.models import Document
from tests.knowledge_fakes import FakeEncoder, small_knowledge_base


async def count_documents(core) -> int:  # noqa: ANN001
    async with core.db.session() as session:
        return int((await session.execute(select(func.count(Document.id)))).scalar())


async def test_start_warms_the_knowledge_base_only_when_asked(core, monkeypatch):
    started = []
    monkeypatch.setattr(core.knowledge, "warm_up", lambda: started.append("warm_up"))
    monkeypatch.setattr(core.knowledge.model, "embed_soon", lambda: started.append("embed_soon"))
    await core.start()  # tests and one-off commands: nothing loads in the background
    assert started == []
    await core.start(warm_up=True)  # the running bot
    assert started == ["warm_up", "embed_soon"]


async def test_an_empty_knowledge_base_is_filled_once_at_start(core, tmp_path, caplog):
    encoder = FakeEncoder()
    knowledge = KnowledgeService(core.db, core.settings, encoder=encoder, check_interval=0)
    core.settings.knowledge_dir = small_knowledge_base(tmp_path / "kb")

    await knowledge.fill_when_empty()  # switched off (as in every test): nothing happens
    assert await count_documents(core) == 0

    core.settings.ingest_demo_on_empty = True
    with caplog.at_level("INFO", logger="knowledge.service"):
        await knowledge.fill_when_empty()
    assert await count_documents(core) == 10
    # Normal start-up news is INFO, not a warning.
    news = [r for r in caplog.records if r.name == "knowledge.service"]
    assert any("Knowledge base ready" in r.getMessage() for r in news)
    assert {r.levelname for r in news} == {"INFO"}
    embedded = len(encoder.encoded)
    (tmp_path / "kb" / "pilots" / "school-meals.md").unlink()
    await knowledge.fill_when_empty()  # not empty any more: the folder is not read again
    assert await count_documents(core) == 10 and len(encoder.encoded) == embedded


async def test_a_missing_folder_is_logged_not_fatal(core, tmp_path, caplog):
    core.settings.ingest_demo_on_empty = True
    core.settings.knowledge_dir = tmp_path / "nowhere"
    await core.knowledge.fill_when_empty()
    assert "does not exist" in caplog.text
    assert await count_documents(core) == 0


async def test_the_ingest_command_prints_a_summary_and_every_problem(settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "get_encoder", lambda name: FakeEncoder())
    folder = small_knowledge_base(tmp_path / "kb")
    (folder / "pilots" / "broken.md").write_text("no front matter", encoding="utf-8")
    status = await cli.run_ingest(settings, folder)
    out, err = capsys.readouterr()
    assert status == 1
    assert "added" in out and "10" in out
    assert "pilots/broken.md" in err and "front matter" in err
    assert await cli.run_ingest(settings, Path(tmp_path / "missing")) == 2
    (folder / "pilots" / "broken.md").unlink()
    assert await cli.run_ingest(settings, folder) == 0
    assert "unchanged (skipped)" in capsys.readouterr().out


async def test_two_callers_at_once_fill_an_empty_knowledge_base_once(core, tmp_path):
    # The background warm-up and an explicit call may both find the knowledge base empty at start.
    service = KnowledgeService(core.db, core.settings, encoder=FakeEncoder(), check_interval=0)
    core.settings.knowledge_dir = small_knowledge_base(tmp_path / "kb")
    core.settings.ingest_demo_on_empty = True
    await asyncio.gather(service.fill_when_empty(), service.fill_when_empty())
    assert await count_documents(core) == 10


async def first_load_state(core):  # noqa: ANN001, ANN201
    from knowledge.version import first_load

    async with core.db.session() as session:
        return await first_load(session)


async def test_a_first_load_cut_short_is_finished_at_the_next_start(core, tmp_path):
    from knowledge.ingest import ingest
    from knowledge.version import FIRST_LOAD_DONE, FIRST_LOAD_STARTED, note_first_load

    folder = small_knowledge_base(tmp_path / "kb")
    core.settings.knowledge_dir = folder
    core.settings.ingest_demo_on_empty = True
    # What a first start leaves when the bot stops a few seconds in: the load begun, two documents stored.
    async with core.db.session() as session, session.begin():
        await note_first_load(session, FIRST_LOAD_STARTED)
    await ingest(core.db, folder / "pilots" / "school-meals.md", FakeEncoder())
    assert await count_documents(core) == 1

    restarted = KnowledgeService(core.db, core.settings, encoder=FakeEncoder(), check_interval=0)
    await restarted.fill_when_empty()
    assert await count_documents(core) == 10 and await first_load_state(core) == FIRST_LOAD_DONE


async def test_a_members_own_profile_does_not_stop_the_first_load(core, chat, tmp_path):
    from knowledge.version import FIRST_LOAD_DONE

    core.settings.knowledge_dir = small_knowledge_base(tmp_path / "kb")
    core.settings.ingest_demo_on_empty = True
    # The first message of a new installation, before its first load has begun, makes an expert document.
    assert (await chat.say("profile set expertise walking football")).tone == "success"
    assert await count_documents(core) == 1
    knowledge = KnowledgeService(core.db, core.settings, encoder=FakeEncoder(), check_interval=0)
    await knowledge.fill_when_empty()
    assert await count_documents(core) == 11 and await first_load_state(core) == FIRST_LOAD_DONE


async def test_a_knowledge_base_filled_before_the_first_load_was_recorded_is_left_alone(core, tmp_path):
    from knowledge.ingest import ingest

    folder = small_knowledge_base(tmp_path / "kb")
    core.settings.knowledge_dir = folder
    core.settings.ingest_demo_on_empty = True
    await ingest(core.db, folder / "pilots" / "school-meals.md", FakeEncoder())  # an admin's own ingest
    knowledge = KnowledgeService(core.db, core.settings, encoder=FakeEncoder(), check_interval=0)
    await knowledge.fill_when_empty()
    assert await count_documents(core) == 1 and await first_load_state(core) is None


async def test_a_restart_with_the_same_model_judges_staleness_from_the_index_it_builds(core, tmp_path, monkeypatch):
    """A filled knowledge base embedded by the configured model: the start-up builds its index once and
    reads the documents no second time to look for another model's vectors (the index shows there are none)."""
    encoder = FakeEncoder()
    knowledge = KnowledgeService(core.db, core.settings, encoder=encoder, check_interval=60)
    core.settings.knowledge_dir = small_knowledge_base(tmp_path / "kb")
    core.settings.ingest_demo_on_empty = True
    await knowledge.fill_when_empty()  # the first start
    restarted = KnowledgeService(core.db, core.settings, encoder=encoder, check_interval=60)
    reembeds, reloads = [], []
    monkeypatch.setattr(restarted.model, "reembed_stale", lambda: reembeds.append(1))
    reload = restarted.index._reload
    monkeypatch.setattr(restarted.index, "_reload", lambda: reloads.append(1) or reload())
    await restarted.warm_up()
    assert reembeds == [] and reloads == [1]
    assert restarted.readiness.report().ready
