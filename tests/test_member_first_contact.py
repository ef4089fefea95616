"""Two messages from one new person, handled at the same moment, make one member, never an error."""

from __future__ import annotations

import asyncio

import pytest

from bot.app.core import Lighthouse
from bot.members.service import resolve_member
from bot.message import Author


@pytest.mark.parametrize("rounds", [3])
async def test_concurrent_first_contact_makes_one_member(core: Lighthouse, rounds: int):
    for n in range(rounds):
        author = Author(platform="slack", user_id=f"UNEW{n}", display_name=f"New person {n}")
        gate = asyncio.Event()

        async def first_contact() -> int:
            async with core.db.session() as session, session.begin():
                await gate.wait()  # both sessions start before either has created the member
                member = await resolve_member(session, author)
                await asyncio.sleep(0)
                return member.id

        tasks = [asyncio.create_task(first_contact()) for _ in range(2)]
        await asyncio.sleep(0.05)
        gate.set()
        ids = await asyncio.gather(*tasks)
        assert ids[0] == ids[1]
