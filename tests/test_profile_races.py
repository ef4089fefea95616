"""Two profile edits of one member at the same moment (two processes, a double submit): both fields are
kept, and the member's expert document shows both, as if the edits had come one after the other."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.app.core import Lighthouse
from bot.members.service import update_profile
from knowledge.profiles import profile_source_id
from storage.models import Chunk, Document, Member
from tests.events_support import make_member

ROUNDS = 8


async def test_simultaneous_edits_of_two_fields_keep_both_in_the_expert_document(core, settings, clock):
    other = Lighthouse(settings, clock=clock)  # a second process: its own engine and pool
    try:
        member_id = await make_member(core, "mette")
        for round_ in range(ROUNDS):
            await asyncio.gather(
                update_profile(core, member_id, "expertise", [f"school meals {round_}"]),
                update_profile(other, member_id, "bio", f"Works on food programmes, year {round_}."),
            )
            async with core.db.session() as session:
                member = await session.get(Member, member_id)
                document = (await session.execute(
                    select(Document).where(Document.source_id == profile_source_id(member_id))
                )).scalar_one_or_none()
                text = " ".join((await session.execute(
                    select(Chunk.text).where(Chunk.document_id == document.id)
                )).scalars()) if document else ""
            assert member.expertise == [f"school meals {round_}"] and member.bio.endswith(f"{round_}.")
            assert document is not None, f"round {round_}: the expert document is gone"
            assert f"school meals {round_}" in text and f"year {round_}" in text, (round_, text)
    finally:
        await other.close()
