"""bench/outside.py's core on a few questions, with the small fake model: what it reads from each reply."""

from __future__ import annotations

from bench.outside import Question, ask_all
from knowledge.embeddings import WeakMatch
from knowledge.ingest import ingest
from tests.knowledge_fakes import (  # noqa: F401 - encoder, knowledge: fixtures
    encoder, knowledge, small_knowledge_base,
)


async def test_outcomes_name_the_documents_shown_and_the_weak_flag(core, knowledge, encoder, tmp_path):  # noqa: ANN001
    await ingest(core.db, small_knowledge_base(tmp_path / "kb"), encoder)
    questions = [
        Question("en-1", "en", "pilots", "hot school meals with wholegrains", True, {"pilot-school-meals": 2}),
        Question("en-2", "en", "experts", "school food policy", True, {"expert-anna-holm": 2}),
        Question("en-3", "en", "plain", "the of and", False, kind="gibberish"),
    ]
    meals, people, nothing = await ask_all(core, questions)
    assert meals.shown[0] == "pilot-school-meals" and meals.hit and meals.ndcg == 1.0
    assert all(doc.startswith("pilot-") for doc in meals.shown)
    assert people.shown and all(doc.startswith("expert-") for doc in people.shown) and people.hit
    assert not meals.weak and not meals.misjudged
    assert nothing.shown == () and nothing.flagged and not nothing.misjudged
    encoder.weak_match_below = WeakMatch(2.0, 2.0)  # every answer is weak
    (weak,) = await ask_all(core, [Question("en-4", "en", "find", "school food for astronauts", False, kind="absent")])
    assert weak.weak and weak.flagged and weak.shown and not weak.misjudged
