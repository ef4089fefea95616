"""A stored later page leaves out a document that may no longer be shown, however a platform cut its result
into sections: every piece of a result still names the document it shows."""

from __future__ import annotations

import pytest

from adapters.discord.render import _parts
from adapters.slack.render import atomise
from adapters.slack.transport import SLACK_CAPABILITIES
from adapters.discord.transport import DISCORD_CAPABILITIES
from bot.reply import Button, Field, Reply, Section
from storage.models import Document

LONG = "A passage of many words that goes on. " * 300  # beyond one Slack text block and one Discord embed


def result(number: int) -> Section:
    return Section(
        title=f"Expert · Person {number}", text=LONG, fields=[Field(f"Field {i}", "value") for i in range(14)],
        context="Why: it matches.", buttons=[Button(f"Button {i}", f"intro member:{number} {i}") for i in range(7)],
        source_id=f"doc-{number}",
    )


@pytest.mark.parametrize("cut", [atomise, _parts], ids=["slack", "discord"])
def test_every_piece_of_a_cut_result_names_its_document(cut):
    pieces = cut(result(1))
    assert len(pieces) > 1 and {piece.source_id for piece in pieces} == {"doc-1"}


@pytest.mark.parametrize("capabilities", [SLACK_CAPABILITIES, DISCORD_CAPABILITIES], ids=["slack", "discord"])
async def test_a_stored_page_of_a_platform_leaves_out_a_result_gone_since(core, capabilities):
    async with core.db.session() as session, session.begin():
        for number in (1, 3):  # doc-2 is no longer in the knowledge base (its member erased their data)
            session.add(Document(source_id=f"doc-{number}", source_path=f"experts/{number}.md", kind="expert",
                                 title=f"Person {number}", content_hash=str(number)))
    budget = capabilities.page_budget.within(1, 12000)
    first = await core.paginator.paginate(
        Reply(text="Experts:", sections=[result(n) for n in (1, 2, 3)]), budget=budget, now=core.clock.now()
    )
    page_id = first.buttons[-1].command.split()[1]
    second = await core.paginator.page(page_id, 2)
    assert "Person 2" not in second.plain_text() and not [s for s in second.sections if s.buttons]
    assert "(1 result of this page no longer available.)" in second.text
    third = await core.paginator.page(page_id, 3)
    assert "Person 3" in third.plain_text() and "no longer available" not in third.text
