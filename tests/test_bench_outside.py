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


def test_the_outside_test_sets_grade_only_documents_of_the_demo():
    """A misspelt document id in a test set would count as a miss that no search could avoid."""
    from pathlib import Path

    from bench.outside import load_questions
    from knowledge.sources import read_file, source_files

    root = Path(__file__).resolve().parent.parent
    folder = root / "data" / "demo"
    demo = {doc.source_id for path in source_files(folder) for doc in read_file(path, path.name).documents}
    assert len(demo) > 50
    for name in ("outside.jsonl", "outside-2.jsonl"):
        questions = load_questions(root / "bench" / "data" / name)
        assert len({q.id for q in questions}) == len(questions), name
        for question in questions:
            assert set(question.relevant) <= demo, (name, question.id)
            assert question.answerable == bool(question.relevant), (name, question.id)
            assert question.answerable or question.kind in {"absent", "off-topic", "gibberish"}, (name, question.id)
