"""Erasure racing with the writes that link data to a member: nothing personal comes back.

An ingest storing an expert profile, and an erasure of the member that profile names, happen at once (the
erasure runs in its own session while the ingest's transaction is open). Whichever runs first, the
member, their account and their profile are gone afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

import knowledge.ingest as ingest_module
import knowledge.ingested_experts as ingested_experts
from bot.privacy.erasure import ERASE_PURPOSE, erase_member, issue_confirmation, redeem_confirmation
from knowledge.ingest import ingest
from storage.lookups import find_by_identity
from storage.models import Document, Member, PlatformIdentity
from tests.knowledge_fakes import FakeEncoder, expert
from tests.support import Chat


async def _erasure_of(core, name: str) -> Callable[[], Awaitable[None]]:  # noqa: ANN001
    """The confirmed erasure of `name`, to be run later (its token is issued now)."""
    async with core.db.session() as session, session.begin():
        member = await find_by_identity(session, "console", name)
        assert member is not None
        member_id = member.id
        token = await issue_confirmation(session, member_id, ERASE_PURPOSE, core.clock.now())

    async def erase() -> None:
        async with core.db.session() as session, session.begin():
            assert await redeem_confirmation(session, member_id, ERASE_PURPOSE, token, core.clock.now())
            await erase_member(session, member_id, core.clock.now())

    return erase


async def _left_of(core, name: str, account: str) -> tuple[list, list, list]:  # noqa: ANN001
    async with core.db.session() as session:
        members = (await session.execute(select(Member.id).where(Member.display_name == name))).all()
        accounts = (await session.execute(
            select(PlatformIdentity.id).where(PlatformIdentity.platform_user_id == account)
        )).all()
        documents = (await session.execute(select(Document.source_id).where(Document.title == name))).all()
    return members, accounts, documents


async def _ingest_with_erasure_at(core, chat: Chat, tmp_path, monkeypatch, hook: tuple, stored_before: bool):  # noqa: ANN001
    """Ingest a new or changed profile of Dana's while her erasure starts at `hook` inside the ingest's store."""
    await chat.say("profile set organisation Lund Research", as_user="dana")
    folder = tmp_path / "kb"
    if stored_before:
        expert(folder, "dana", "Dana Dahl", "Lund Research", "research", "SE", ["falls prevention"], "Dana.",
               member="console:dana")
        assert (await ingest(core.db, folder, FakeEncoder())).errors == []
    expert(folder, "dana", "Dana Dahl", "Lund Research", "research", "SE", ["falls prevention", "frailty"],
           "Dana, updated.", member="console:dana")

    erase = await _erasure_of(core, "dana")
    module, name = hook
    original = getattr(module, name)
    erasures: list[asyncio.Task] = []

    async def erased_meanwhile(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = await original(*args, **kwargs)
        if not erasures:
            erasures.append(asyncio.create_task(erase()))
            await asyncio.sleep(0.5)  # the erasure commits now, unless it has to wait for this transaction
        return result

    monkeypatch.setattr(module, name, erased_meanwhile)
    report = await ingest(core.db, folder, FakeEncoder())
    await erasures[0]
    return report


@pytest.mark.parametrize("stored_before", [False, True], ids=["new profile", "changed profile"])
async def test_an_erasure_right_after_the_ingests_tombstone_check_is_not_undone(core, chat, tmp_path, monkeypatch, stored_before):
    report = await _ingest_with_erasure_at(core, chat, tmp_path, monkeypatch, (ingested_experts, "check_not_erased"), stored_before)
    assert await _left_of(core, "Dana Dahl", "dana") == ([], [], [])
    assert report.errors == []  # stored and then erased, or skipped as erased: both are right


@pytest.mark.parametrize("stored_before", [False, True], ids=["new profile", "changed profile"])
async def test_an_erasure_while_the_ingest_stores_the_profile_deletes_it(core, chat, tmp_path, monkeypatch, stored_before):
    report = await _ingest_with_erasure_at(core, chat, tmp_path, monkeypatch, (ingest_module, "expert_member"), stored_before)
    assert await _left_of(core, "Dana Dahl", "dana") == ([], [], [])
    assert report.errors == []  # stored and then erased, or skipped as erased: both are right


async def test_an_erasure_while_an_rsvp_is_written_leaves_no_reminder_for_the_erased_member(core, chat, monkeypatch):
    """The RSVP's transaction has written the answer and its reminder jobs when the erasure starts: the
    erasure waits for it and then cancels them (before, on PostgreSQL, it missed the uncommitted jobs and
    deleted the member under them, leaving reminders pending for a member who no longer exists)."""
    import bot.events.service as events_service
    from storage.models import Job
    from tests.events_support import add_event, make_member

    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")
    event_id = await add_event(chat)
    await chat.say("profile set country Denmark", as_user="dana")
    erase = await _erasure_of(core, "dana")
    original = events_service.schedule_reminders
    erasures: list[asyncio.Task] = []

    async def scheduled_then_erased(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        added = await original(*args, **kwargs)
        erasures.append(asyncio.create_task(erase()))
        await asyncio.sleep(0.5)
        return added

    monkeypatch.setattr(events_service, "schedule_reminders", scheduled_then_erased)
    await chat.say(f"event rsvp {event_id} going", as_user="dana")
    await erasures[0]
    async with core.db.session() as session:
        pending = (await session.execute(select(Job.key).where(Job.status == "pending", Job.key.contains(":reminder:")))).all()
    assert pending == []
