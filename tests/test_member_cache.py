"""The askers of searches kept by the process (bot.askers): a search needs no member look-up, and any
write this process makes to the members (a profile edit, an erasure, a role change, a first contact) is
seen by the next message at once; another process's, within the time limit."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, update

from bot import askers as member_cache
from knowledge.ingest import ingest
from storage.models import Member
from storage.writes import TableWrites
from tests.knowledge_fakes import (  # noqa: F401 - encoder, knowledge: fixtures
    encoder, knowledge, small_knowledge_base,
)
from tests.support import Chat


@pytest.fixture
async def loaded(core, encoder, tmp_path):  # noqa: ANN001, ANN201
    report = await ingest(core.db, small_knowledge_base(tmp_path / "kb"), encoder)
    assert report.errors == []


@pytest.fixture
def identity_reads(core):  # noqa: ANN001, ANN201
    """How many statements have read a member by their platform identity (the router's look-up)."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT") and "platform_identities.platform_user_id =" in statement:
            seen.append(statement)

    event.listen(core.db.engine.sync_engine, "before_cursor_execute", note)
    yield seen
    event.remove(core.db.engine.sync_engine, "before_cursor_execute", note)


def titles(reply) -> list[str]:  # noqa: ANN001
    return [s.title for s in reply.sections if s.title]


async def test_a_second_search_needs_no_member_look_up_and_answers_the_same(chat: Chat, core, loaded, identity_reads):
    await chat.say("find teenagers")  # a first contact (a write) is not kept: read again next time
    first = await chat.say("find school food")
    read = len(identity_reads)
    again = await chat.say("find school food")
    assert len(identity_reads) == read
    core.runtime.members.forget()
    fresh = await chat.say("find school food")
    assert len(identity_reads) == read + 1
    assert again.plain_text() == first.plain_text() == fresh.plain_text()
    assert titles(again) == titles(first) == titles(fresh)


async def test_other_commands_always_read_the_member(chat: Chat, core, loaded, identity_reads):
    await chat.say("find school food")
    await chat.say("find school food")
    read = len(identity_reads)
    await chat.say("profile")
    assert len(identity_reads) == read + 1


async def test_a_profile_edit_is_seen_by_the_next_search(chat: Chat, loaded):
    await chat.say("profile set interests anxiety, loneliness among teenagers", as_user="olga")
    first = await chat.say("match me", as_user="olga")
    assert "anxiety" in first.text
    await chat.say("profile set interests school meals, plate waste", as_user="olga")
    second = await chat.say("match me", as_user="olga")
    assert "school meals" in second.text and "anxiety" not in second.text


async def test_an_erased_asker_is_never_used_again(chat: Chat, core, loaded):
    await chat.say("find school food", as_user="alice")
    async with core.db.session() as session:
        before = (await session.execute(select(Member.id).where(Member.display_name == "alice"))).scalar_one()
    command = (await chat.say("privacy erase", as_user="alice")).buttons[0].command
    done = await chat.say(command, as_user="alice")
    assert done.tone == "success"
    reply = await chat.say("find school food", as_user="alice")
    assert reply.tone != "error"
    async with core.db.session() as session:
        ids = (await session.execute(select(Member.id).where(Member.display_name == "alice"))).scalars().all()
    # The search came from a new member (a first contact), not from the erased one kept in memory.
    assert before not in ids and len(ids) == 1


async def test_a_write_to_the_members_in_this_process_drops_what_was_kept(chat: Chat, core, loaded, identity_reads):
    await chat.say("profile", as_user="alice")
    await chat.say("find school food", as_user="alice")
    async with core.db.session() as session, session.begin():
        await session.execute(update(Member).where(Member.display_name == "alice").values(country="SE"))
    read = len(identity_reads)
    await chat.say("find school food", as_user="alice")
    assert len(identity_reads) == read + 1


async def test_another_process_writes_are_seen_within_the_time_limit(chat: Chat, core, loaded, identity_reads, monkeypatch):
    now = [1000.0]
    core.runtime.members.clock = lambda: now[0]
    await chat.say("profile", as_user="alice")
    await chat.say("find school food", as_user="alice")
    read = len(identity_reads)
    now[0] += member_cache.MAX_AGE_SECONDS / 2
    await chat.say("find school food", as_user="alice")
    assert len(identity_reads) == read
    now[0] += member_cache.MAX_AGE_SECONDS
    await chat.say("find school food", as_user="alice")
    assert len(identity_reads) == read + 1


async def test_a_new_platform_name_goes_to_the_database(core, loaded, identity_reads):
    chat = Chat(core)
    await chat.say("profile", as_user="alice")
    await chat.say("find school food", as_user="alice")
    read = len(identity_reads)
    from bot.message import Author, Message

    renamed = Author(platform="console", user_id="alice", display_name="Alice Andersen")
    await core.handle(Message(author=renamed, text="find school food", is_direct=True))
    assert len(identity_reads) == read + 1
    async with core.db.session() as session:
        assert await session.scalar(select(func.count()).where(Member.display_name == "Alice Andersen")) == 1


async def test_table_writes_open_and_closed(core):
    writes = TableWrites(core.db.engine, ("members",))
    start = writes.moment()
    assert start is not None
    async with core.db.session() as session:
        await session.execute(select(Member.id))
    assert writes.moment() == start  # reads move nothing
    async with core.db.session() as session, session.begin():
        await session.execute(update(Member).values(country="DK"))
        assert writes.moment() is None  # not committed yet: nothing read now may be kept
    after = writes.moment()
    assert after is not None and after != start
    async with core.db.session() as session:
        await session.execute(update(Member).values(country="SE"))
        await session.rollback()
    assert writes.moment() not in (None, after)


async def test_table_writes_count_writes_behind_a_with_clause_and_nothing_on_other_tables(core):
    from sqlalchemy import text

    writes = TableWrites(core.db.engine, ("members",))
    start = writes.moment()
    async with core.db.session() as session, session.begin():
        await session.execute(text("UPDATE knowledge_version SET version = version + 1"))
    assert writes.moment() == start
    async with core.db.session() as session, session.begin():
        await session.execute(text("WITH chosen AS (SELECT id FROM members) UPDATE members SET country = 'DK' WHERE id IN (SELECT id FROM chosen)"))
    assert writes.moment() not in (None, start)
