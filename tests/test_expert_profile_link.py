"""A knowledge-folder expert profile may name any account (`member:`): it becomes that member's only once
they confirm it (`profile link <id>`); until then it is stored unlinked and changes nothing of theirs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import knowledge.cli as ingest_cli
from knowledge.ingest import ingest
from knowledge.ingested_experts import ERASED_MEMBER, UNCONFIRMED_KEY
from storage.lookups import find_by_identity
from storage.models import Document, Member
from knowledge.service import KnowledgeService
from tests.knowledge_fakes import FakeEncoder, expert
from tests.support import Chat


@pytest.fixture
def knowledge(database, settings) -> KnowledgeService:  # noqa: ANN001
    return KnowledgeService(database, settings, encoder=FakeEncoder(), check_interval=0)


async def _profile(core) -> Document:  # noqa: ANN001
    async with core.db.session() as session:
        return (await session.execute(select(Document).where(Document.source_id == "expert-w"))).scalar_one()


async def _member(core, name: str):  # noqa: ANN001, ANN202
    async with core.db.session() as session:
        return await find_by_identity(session, "console", name)


async def _export(core, chat: Chat) -> dict:  # noqa: ANN001
    import json

    reply = await chat.say("privacy export", as_user="wanjiru")
    (attachment,) = reply.attachments
    return json.loads(attachment.content)


def _wanjiru_profile(folder, expertise=("school food",)):  # noqa: ANN001, ANN202
    return expert(folder, "w", "Dr W. Kamau", "Kisumu County Health", "region", "KE", list(expertise),
                  "Someone else's words.", member="console:wanjiru")


async def test_a_profile_naming_an_existing_member_waits_for_their_confirmation(core, chat: Chat, tmp_path):
    await chat.say("profile set country Denmark", as_user="wanjiru")  # an existing member, with her own profile
    folder = tmp_path / "kb"
    _wanjiru_profile(folder)
    report = await ingest(core.db, folder, FakeEncoder())
    assert report.errors == [] and report.added == ["expert-w"]
    assert [(u.path, u.reason) for u in report.unconfirmed] == [
        ("experts/w.md", "not linked to the existing member console:wanjiru until they confirm it with "
                         "`profile link expert-w`")
    ]
    assert "1 awaiting their member's confirmation" in report.summary()
    stored = await _profile(core)
    assert stored.member_id is None and stored.meta[UNCONFIRMED_KEY] == "console:wanjiru"
    wanjiru = await _member(core, "wanjiru")
    assert wanjiru.role == "member" and wanjiru.country == "DK" and wanjiru.expertise == []  # nothing of hers changed
    assert wanjiru.organisation_id is None

    # Nobody else can claim it, and an unknown id is refused alike.
    for who, profile_id in (("bob", "expert-w"), ("wanjiru", "expert-nobody")):
        refused = await chat.say(f"profile link {profile_id}", as_user=who)
        assert refused.tone == "error" and "is waiting for you to confirm it" in refused.text
    assert (await _profile(core)).member_id is None

    exported = await _export(core, chat)
    assert exported["knowledge_base"] == []
    assert exported["knowledge_base_awaiting_your_confirmation"] == [
        {"source_id": "expert-w", "confirm_with": "profile link expert-w"}
    ]
    linked = await chat.say("profile link expert-w", as_user="wanjiru")
    assert linked.tone == "success" and "Dr W. Kamau" in linked.text
    stored = await _profile(core)
    assert stored.member_id == wanjiru.id and UNCONFIRMED_KEY not in stored.meta
    assert (await _member(core, "wanjiru")).role == "expert"
    again = await chat.say("profile link expert-w", as_user="wanjiru")
    assert again.tone == "error"  # once only
    exported = await _export(core, chat)
    assert [d["source_id"] for d in exported["knowledge_base"]] == ["expert-w"]
    assert exported["knowledge_base_awaiting_your_confirmation"] == []

    # A changed profile stays linked, and now fills what she left empty (as for any linked member).
    _wanjiru_profile(folder, ("school food", "nutrition"))
    changed = await ingest(core.db, folder, FakeEncoder())
    assert changed.updated == ["expert-w"] and changed.unconfirmed == []
    assert (await _profile(core)).member_id == wanjiru.id
    assert (await _member(core, "wanjiru")).country == "DK"  # never overwritten


async def test_a_profile_naming_a_new_account_links_the_member_it_creates(core, tmp_path):
    folder = tmp_path / "kb"
    _wanjiru_profile(folder)
    report = await ingest(core.db, folder, FakeEncoder())
    assert report.unconfirmed == []
    member = await _member(core, "wanjiru")
    assert (await _profile(core)).member_id == member.id and member.role == "expert"
    _wanjiru_profile(folder, ("school food", "nutrition"))
    assert (await ingest(core.db, folder, FakeEncoder())).unconfirmed == []  # still the member it created


async def test_erasure_removes_a_profile_that_names_the_member_unconfirmed(core, chat: Chat, tmp_path):
    await chat.say("profile", as_user="wanjiru")
    folder = tmp_path / "kb"
    _wanjiru_profile(folder)
    await ingest(core.db, folder, FakeEncoder())
    command = (await chat.say("privacy erase", as_user="wanjiru")).buttons[0].command
    assert (await chat.say(command, as_user="wanjiru")).tone == "success"
    async with core.db.session() as session:
        assert (await session.execute(select(Document).where(Document.source_id == "expert-w"))).first() is None
    again = await ingest(core.db, folder, FakeEncoder())
    assert [s.reason for s in again.skipped] == ["skipped: erased member"]


async def test_the_ingest_command_lists_profiles_awaiting_confirmation(core, chat: Chat, settings, tmp_path, monkeypatch, capsys):
    await chat.say("profile", as_user="wanjiru")
    folder = tmp_path / "kb"
    _wanjiru_profile(folder)
    monkeypatch.setattr(ingest_cli, "get_encoder", lambda name: FakeEncoder())
    status = await ingest_cli.run_ingest(settings, folder)
    output = capsys.readouterr()
    assert status == 0  # not a problem of the folder
    assert "experts/w.md: not linked to the existing member console:wanjiru" in output.err
    assert "profile link expert-w" in output.err


async def test_an_unconfirmed_profile_is_found_but_offers_no_introduction_until_confirmed(core, chat: Chat, tmp_path):
    await chat.say("profile", as_user="wanjiru")
    folder = tmp_path / "kb"
    _wanjiru_profile(folder)
    await ingest(core.db, folder, FakeEncoder())

    def introduce_buttons(reply):  # noqa: ANN001, ANN202
        return [b for b in reply.buttons + [b for s in reply.sections for b in s.buttons] if b.label == "Introduce me"]

    before = await chat.say("experts school food", as_user="alice")
    assert any(s.title and "Kamau" in s.title for s in before.sections)
    assert introduce_buttons(before) == []  # not her profile (yet): nobody is introduced to her through it
    await chat.say("profile link expert-w", as_user="wanjiru")
    after = await chat.say("experts school food", as_user="alice")  # the same process: its index sees the link
    wanjiru = await _member(core, "wanjiru")
    assert [b.command.split()[1] for b in introduce_buttons(after)] == [f"member:{wanjiru.id}"]


@pytest.mark.parametrize("spelled", ["Console:wanjiru", "console: wanjiru", " CONSOLE :wanjiru "])
async def test_an_account_spelled_otherwise_is_the_same_account(core, chat: Chat, tmp_path, spelled):
    """However a file writes the account, it names the same member: her confirmation is still needed, no
    second member is made for it, and her erasure keeps the profile out."""
    await chat.say("profile set country Denmark", as_user="wanjiru")
    folder = tmp_path / "kb"
    expert(folder, "w", "Dr W. Kamau", "Kisumu County Health", "region", "KE", ["school food"], "Words.", member=spelled)
    report = await ingest(core.db, folder, FakeEncoder())
    assert report.errors == [] and [u.path for u in report.unconfirmed] == ["experts/w.md"]
    stored = await _profile(core)
    assert stored.member_id is None and stored.meta[UNCONFIRMED_KEY] == "console:wanjiru"
    wanjiru = await _member(core, "wanjiru")
    assert wanjiru.role == "member" and wanjiru.expertise == []
    async with core.db.session() as session:
        assert len((await session.execute(select(Member))).scalars().all()) == 1  # no second "wanjiru"

    confirm = (await chat.say("privacy erase", as_user="wanjiru")).buttons[0].command
    assert (await chat.say(confirm, as_user="wanjiru")).tone == "success"
    again = await ingest(core.db, folder, FakeEncoder())
    assert again.errors == [] and [(e.path, e.reason) for e in again.skipped] == [("experts/w.md", ERASED_MEMBER)]
    async with core.db.session() as session:
        assert (await session.execute(select(Member))).scalars().all() == []
