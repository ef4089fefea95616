"""Erasure cannot be undone by an ingest: a tombstone (hashes only) makes ingest skip the erased member's
expert profile, and say so by its path alone."""

from __future__ import annotations

import re

from sqlalchemy import select

import knowledge.cli as ingest_cli
from knowledge.ingest import ingest
from storage.models import Document, ErasureTombstone, Member, Organisation, PlatformIdentity
from storage.tombstones import identity_key, profile_key, tombstone_hash
from tests.knowledge_fakes import FakeEncoder, expert, small_knowledge_base
from tests.support import Chat


async def erase(chat: Chat, name: str) -> None:
    command = (await chat.say("privacy erase", as_user=name)).buttons[0].command
    done = await chat.say(command, as_user=name)
    assert done.tone == "success", done.plain_text()


async def people(core) -> tuple[set[str], set[str], set[str]]:  # noqa: ANN001
    async with core.db.session() as session:
        accounts = {f"{p}:{u}" for p, u in (await session.execute(select(PlatformIdentity.platform, PlatformIdentity.platform_user_id))).all()}
        names = set((await session.execute(select(Member.display_name))).scalars())
        documents = set((await session.execute(select(Document.source_id))).scalars())
    return accounts, names, documents


async def test_an_ingest_does_not_bring_an_erased_member_back(core, chat: Chat, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    expert(folder, "eve", "Eve Quist", "Kronby Region", "region", "SE", ["digital triage"], "## About\nEve.", member="slack:U0EVE")
    first = await ingest(core.db, folder, FakeEncoder())
    assert first.errors == [] and first.skipped == []
    await erase(chat, "anna-holm")  # the console member the ingest linked to experts/anna-holm.md
    await erase(Chat(core, platform="slack"), "U0EVE")

    again = await ingest(core.db, folder, FakeEncoder())
    assert [(s.path, s.reason) for s in again.skipped] == [
        ("experts/anna-holm.md", "skipped: erased member"),
        ("experts/eve.md", "skipped: erased member"),
    ]
    assert again.errors == [] and again.added == [] and again.unchanged == 9
    assert "2 skipped (erased members)" in again.summary()
    accounts, names, documents = await people(core)
    assert "console:anna-holm" not in accounts and "slack:U0EVE" not in accounts
    assert "Anna Holm" not in names and "Eve Quist" not in names
    assert "expert-anna-holm" not in documents and "expert-eve" not in documents
    assert {"console:bo-berg", "console:carla-diaz", "console:dan-eriksson"} <= accounts
    async with core.db.session() as session:
        assert "Kronby Region" in set((await session.execute(select(Organisation.name))).scalars())  # Dan's

    # Moved, renamed or relinked, the profile is still hers.
    (folder / "experts" / "anna-holm.md").rename(folder / "experts" / "a-h.md")
    expert(folder, "holm-copy", "Anna Holm", "Nordby Municipality", "municipality", "DK", ["school food"], "Anna.",
           member="console:anna-holm")
    third = await ingest(core.db, folder, FakeEncoder())
    assert sorted(s.path for s in third.skipped) == ["experts/a-h.md", "experts/eve.md", "experts/holm-copy.md"]
    accounts, names, _ = await people(core)
    assert "console:anna-holm" not in accounts and "Anna Holm" not in names


async def test_tombstones_hold_hashes_only(core, chat: Chat, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    await ingest(core.db, folder, FakeEncoder())
    await erase(chat, "anna-holm")
    async with core.db.session() as session:
        hashes = sorted((await session.execute(select(ErasureTombstone.key_hash))).scalars())
    assert hashes == sorted([
        tombstone_hash(identity_key("console", "anna-holm")), tombstone_hash(profile_key("expert-anna-holm"))
    ])
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in hashes)
    # Erasing the same account again (it wrote to the bot afterwards) adds no second row.
    await chat.say("profile set country Denmark", as_user="anna-holm")
    await erase(chat, "anna-holm")
    async with core.db.session() as session:
        assert len((await session.execute(select(ErasureTombstone.key_hash))).scalars().all()) == 2


async def test_a_chat_only_member_stays_erased_when_a_profile_names_them_later(core, chat: Chat, tmp_path):
    await chat.say("profile set organisation Lund Research", as_user="dave")
    await erase(chat, "dave")
    folder = tmp_path / "kb"
    expert(folder, "d", "Dave Dahl", "Lund Research", "research", "SE", ["falls prevention"], "Dave.", member="console:dave")
    report = await ingest(core.db, folder, FakeEncoder())
    assert [(s.path, s.reason) for s in report.skipped] == [("experts/d.md", "skipped: erased member")]
    accounts, names, documents = await people(core)
    assert "console:dave" not in accounts and "Dave Dahl" not in names and documents == set()
    # Writing to the bot again starts a new, empty profile, as before.
    assert (await chat.say("profile", as_user="dave")).tone != "error"


async def test_the_ingest_command_lists_skipped_profiles_by_path(core, chat: Chat, settings, tmp_path, monkeypatch, capsys):
    folder = small_knowledge_base(tmp_path / "kb")
    await ingest(core.db, folder, FakeEncoder())
    await erase(chat, "bo-berg")
    monkeypatch.setattr(ingest_cli, "get_encoder", lambda name: FakeEncoder())
    status = await ingest_cli.run_ingest(settings, folder)
    output = capsys.readouterr()
    assert status == 0
    assert "experts/bo-berg.md: skipped: erased member" in output.err
    assert "Bo Berg" not in output.out + output.err
