"""The loop with the real (default, multilingual) model: a kept community answer is what the next member's
`find` returns first, ranked by meaning as well as keywords, and not flagged as a weak match (slow)."""

from __future__ import annotations

import pytest

from tests.knowledge_fakes import small_knowledge_base
from tests.test_community_loop import ANSWER, QUESTION, profiles, titles

pytestmark = pytest.mark.slow


async def test_a_kept_answer_is_found_first_with_the_real_model(chat, core, tmp_path, transport):
    report = await core.knowledge.ingest(small_knowledge_base(tmp_path / "kb"))
    assert report.errors == []
    await profiles(chat)
    assert (await chat.say(f"community ask {QUESTION}", as_user="ana")).tone == "success"
    await chat.say(f"community answer 1 {ANSWER}", as_user="wanjiru")
    await chat.say("community helpful 1 1", as_user="ana")
    assert (await chat.say("community keep 1 yes", as_user="wanjiru")).tone == "success"
    found = await chat.say("find how to get fathers to parenting sessions on screen time", as_user="olga")
    assert titles(found)[0].startswith("Community answer · How did other municipalities reach fathers")
    assert "Nothing in the knowledge base matches this well" not in found.text
    # In Danish, too: the answer is found by meaning.
    danish = await chat.say("find hvordan får vi fædre med til forældrekurser om skærmtid", as_user="olga")
    assert any(t.startswith("Community answer") for t in titles(danish)[:3]), titles(danish)
