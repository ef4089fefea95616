"""Exchanges written while a member switches exchange logging off: no row linked to them is left behind.

The switch and the write run one after the other (the write holds the members' rows before it reads their
consent), whichever comes first."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

import bot.indicators.exchange_log as exchange_log
from bot.message import Message
from storage.models import Exchange
from tests.support import Chat
from tests.test_exchanges import setup_members


@pytest.mark.parametrize("at_read", [1, 2])
async def test_logging_switched_off_while_a_reply_is_written_leaves_no_linked_row(core, chat: Chat, monkeypatch, at_read):
    """The member switches exchange logging off right after the batch's `at_read`-th read of profiles."""
    await setup_members(chat)
    original = exchange_log._profiles
    reads: list[int] = []
    switched: list[asyncio.Task] = []

    async def profiles_then_opt_out(session, accounts):  # noqa: ANN001, ANN202
        found = await original(session, accounts)
        reads.append(1)
        if len(reads) == at_read:
            switched.append(asyncio.create_task(chat.say("privacy consent exchange-logging off", as_user="alice")))
            await asyncio.sleep(0.5)
        return found

    monkeypatch.setattr(exchange_log, "_profiles", profiles_then_opt_out)
    reply = Message(author=chat.author("bob"), text="an answer", channel_id="C1", message_id="m1",
                    reply_to=chat.author("alice"))
    await core.observe(reply)
    assert "is now off" in (await switched[0]).plain_text()
    async with core.db.session() as session:
        rows = (await session.execute(select(Exchange))).scalars().all()
    assert len(rows) == 1
    assert (rows[0].member_a_id, rows[0].member_b_id, rows[0].channel_id, rows[0].dedupe_key) == (None, None, None, None)


async def test_logging_switched_off_while_an_introduction_is_accepted_leaves_no_linked_row(core, chat: Chat, monkeypatch):
    """The same for an exchange a feature records (here an accepted introduction): the requester switches
    exchange logging off after the acceptance has read both members."""
    import bot.intros.service as intro_service
    from tests.intro_support import REASON, with_profiles

    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    original = intro_service.members_of
    switched: list[asyncio.Task] = []

    async def members_then_opt_out(session, intro):  # noqa: ANN001, ANN202
        found = await original(session, intro)
        switched.append(asyncio.create_task(chat.say("privacy consent exchange-logging off", as_user="alice")))
        await asyncio.sleep(0.5)
        return found

    monkeypatch.setattr(intro_service, "members_of", members_then_opt_out)
    assert "Thanks for accepting" in (await chat.say("intro accept 1", as_user="bob")).text
    assert "is now off" in (await switched[0]).plain_text()
    async with core.db.session() as session:
        (row,) = (await session.execute(select(Exchange))).scalars().all()
    assert (row.member_a_id, row.member_b_id, row.introduction_id, row.dedupe_key) == (None, None, None, None)
