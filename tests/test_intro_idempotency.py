"""Two clicks, a retried delivery or two bot processes cause one transition, one exchange, one message."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app.core import Lighthouse
from bot.message import Author, Message
from storage.models import Introduction
from tests.intro_support import REASON, exchanges, introduction, transitions, with_profiles
from tests.support import RecordingTransport


def press(user: str, command: str) -> Message:
    return Message(author=Author("console", user, user), text=command, is_direct=True, from_button=True)


@pytest.fixture
async def second_process(settings, clock):
    """Another bot process on the same database, with its own transport."""
    other = Lighthouse(settings, clock=clock)
    recording = RecordingTransport()
    other.register_transport(recording)
    try:
        yield other, recording
    finally:
        await other.close()


async def requested(chat) -> None:
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")


async def test_double_click_on_accept_introduces_once(core, chat, transport):
    await requested(chat)
    first = await core.handle(press("bob", "intro accept 1"))
    second = await core.handle(press("bob", "intro accept 1"))
    assert "Thanks for accepting" in first.text and "already accepted" in second.text
    assert [s.kind for s in transport.sent] == ["direct", "group"]
    assert len(await exchanges(core)) == 1
    assert await transitions(core) == [(None, "requested"), ("requested", "accepted")]


async def test_concurrent_accepts_in_two_processes_make_one_transition(core, chat, transport, second_process):
    other, other_transport = second_process
    await requested(chat)
    transport.sent.clear()
    replies = await asyncio.gather(
        core.handle(press("bob", "intro accept 1")), other.handle(press("bob", "intro accept 1"))
    )
    assert sorted("Thanks for accepting" in r.text for r in replies) == [False, True]
    groups = [s for s in transport.sent + other_transport.sent if s.kind == "group"]
    assert len(groups) == 1
    assert await transitions(core) == [(None, "requested"), ("requested", "accepted")]
    assert [e.kind for e in await exchanges(core)] == ["intro_accepted"]


async def test_accept_racing_decline_in_two_processes_has_one_winner(core, chat, transport, second_process):
    other, _ = second_process
    await requested(chat)
    await asyncio.gather(core.handle(press("bob", "intro accept 1")), other.handle(press("bob", "intro decline 1")))
    state = (await introduction(core)).state
    assert state in {"accepted", "declined"}
    assert len(await transitions(core)) == 2
    assert len(await exchanges(core)) == (1 if state == "accepted" else 0)


async def test_concurrent_requests_for_the_same_pair_store_one(core, chat, transport, second_process):
    other, other_transport = second_process
    await with_profiles(chat, "alice", "bob")
    text = f"intro member:2 {REASON}"
    replies = await asyncio.gather(core.handle(press("alice", text)), other.handle(press("alice", text)))
    assert sorted(r.tone for r in replies) == ["error", "success"]
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(Introduction.id)))).scalar_one() == 1
    assert len(transport.to("bob") + other_transport.to("bob")) == 1


async def test_concurrent_meeting_confirmations_and_ratings_count_once(core, chat, transport, second_process):
    other, _ = second_process
    await requested(chat)
    await chat.say("intro accept 1", as_user="bob")
    await asyncio.gather(
        core.handle(press("alice", "intro met 1 yes")),
        other.handle(press("bob", "intro met 1 yes")),
        core.handle(press("alice", "intro rate 1 5")),
        other.handle(press("bob", "intro rate 1 2")),
    )
    stored = await introduction(core)
    assert (stored.state, stored.requester_usefulness, stored.target_usefulness, stored.usefulness) == ("met", 5, 2, 4)
    assert await transitions(core) == [(None, "requested"), ("requested", "accepted"), ("accepted", "met")]
    assert [e.kind for e in await exchanges(core)] == ["intro_accepted", "meeting_confirmed"]


async def test_expiry_job_in_two_processes_sends_one_note(core, chat, transport, clock, second_process):
    other, other_transport = second_process
    await requested(chat)
    clock.advance(timedelta(days=core.settings.intro_expiry_days))
    ran = await asyncio.gather(core.scheduler.run_due(), other.scheduler.run_due())
    assert sum(ran) == 1
    assert len(transport.to("alice") + other_transport.to("alice")) == 1
    assert await transitions(core) == [(None, "requested"), ("requested", "expired")]


async def test_a_request_overdue_while_the_bot_was_down_expires_when_touched(core, chat, transport, clock):
    await requested(chat)
    # Down for longer than the job grace window: the scheduler skips the missed expiry job.
    clock.advance(timedelta(days=core.settings.intro_expiry_days, hours=core.settings.job_grace_hours + 1))
    await core.scheduler.run_due()
    assert (await introduction(core)).state == "requested"
    late = await chat.say("intro accept 1", as_user="bob")
    assert "without an answer" in late.text
    assert (await introduction(core)).state == "expired"
    assert (await chat.say(f"intro @bob {REASON}", as_user="alice")).tone == "success"
