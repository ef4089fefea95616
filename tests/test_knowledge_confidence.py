""""Nothing matches well", a change of embedding model, and awkward questions, with the small fake model
(the real multilingual model is in tests/test_knowledge_multilingual.py, slow)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from bot.search.views import NOTHING_FITS_HINT, WEAK_MATCH_SHOWN
from knowledge.confidence import (
    CALIBRATIONS, FEATURES, LONGEST_FITTED, NAMED_TOPIC_FLOOR, Evidence, Match, gather_evidence, judge, match_margin,
)
from knowledge.embeddings import MULTILINGUAL_MODEL, WeakMatch
from knowledge.ingest import EMBEDDING_MODEL_KEY, ingest
from knowledge.language import analyse
from knowledge.service import KnowledgeService
from storage.models import Chunk, Document
from tests.knowledge_fakes import FakeEncoder, knowledge, small_knowledge_base  # noqa: F401 - knowledge: fixtures
from tests.support import Chat

# The fake model's vectors are bags of hashed words: a question sharing words with a passage has a margin
# of about 0.3 or more over the unrelated reference sentences; one sharing none, about 0.
FAKE_WEAK_BELOW = 0.15
FAKE_WEAK_MATCH = WeakMatch(same_language=FAKE_WEAK_BELOW, other_language=FAKE_WEAK_BELOW)


class OtherFakeEncoder(FakeEncoder):
    """Another model: another name and vector size, as after changing LIGHTHOUSE_EMBEDDING_MODEL."""

    name = "fake-other-model"
    dimension = 32


@pytest.fixture
def encoder() -> FakeEncoder:
    return FakeEncoder(weak_match_below=FAKE_WEAK_MATCH)


@pytest.fixture
async def loaded(core, knowledge, encoder, tmp_path):  # noqa: ANN001, ANN201
    folder = small_knowledge_base(tmp_path / "kb")
    assert (await ingest(core.db, folder, encoder)).errors == []
    return folder


def result_titles(reply) -> list[str]:  # noqa: ANN001
    return [s.title for s in reply.sections if s.title]


async def test_a_question_the_knowledge_base_answers_gets_best_matches(chat, loaded, knowledge):
    answer = await knowledge.index.search("hot school meals with wholegrains")
    assert not answer.weak
    reply = await chat.say("find hot school meals with wholegrains")
    assert reply.text.startswith("Best matches") and "matches this well" not in reply.text
    assert result_titles(reply)[0] == "Pilot · Healthy school meals in Nordby"


@pytest.mark.parametrize("command", ["find", "pilots", "experts"])
async def test_a_question_nothing_answers_says_so_shows_three_and_points_to_the_community(chat, loaded, knowledge, command):
    question = "zebra quantum saxophone"
    answer = await knowledge.index.search(question)
    assert answer.weak and answer.results  # there are results, all of them poor
    reply = await chat.say(f"{command} {question}")
    assert "Nothing in the knowledge base matches this well" in reply.text
    assert "Best matches" not in reply.text
    assert 1 <= len(result_titles(reply)) <= WEAK_MATCH_SHOWN
    assert reply.sections[-1].context == NOTHING_FITS_HINT
    assert "python main.py ingest PATH" in reply.plain_text() and "community" in reply.plain_text()


async def test_without_a_calibrated_threshold_every_search_shows_its_best_matches(core_with, settings, tmp_path):
    uncalibrated = FakeEncoder()  # e.g. a sentence-transformers model of the admin's choosing
    core = await core_with(knowledge=lambda db: KnowledgeService(db, settings, encoder=uncalibrated, check_interval=0))
    chat = Chat(core)
    await ingest(core.db, small_knowledge_base(tmp_path / "kb"), uncalibrated)
    reply = await chat.say("find zebra quantum saxophone")
    assert reply.text.startswith("Best matches")


async def test_the_margin_is_the_best_similarity_above_unrelated_text(loaded, knowledge, encoder):
    index = await knowledge.index.ensure_fresh()
    related = encoder.encode_query("hot school meals with wholegrains")
    unrelated = encoder.encode_query("zebra quantum saxophone")
    assert match_margin(encoder, related, index.search(related, ["school"])) > FAKE_WEAK_BELOW
    assert match_margin(encoder, unrelated, index.search(unrelated, [])) < FAKE_WEAK_BELOW
    assert match_margin(encoder, related, []) == float("-inf")


def test_the_threshold_follows_the_share_of_known_terms():
    rule = WeakMatch(same_language=0.03, other_language=-0.02)
    assert rule.threshold(1.0) == rule.threshold(0.5) == 0.03
    assert rule.threshold(0.0) == rule.threshold(0.33) == -0.02
    assert rule.is_weak(0.0, 1.0) and not rule.is_weak(0.0, 0.0)


async def test_the_known_share_tells_the_knowledge_base_language_from_another(loaded, knowledge):
    index = await knowledge.index.ensure_fresh()
    assert index.known_share(["school", "meal"]) == 1.0
    assert index.known_share(["skolemad", "elev"]) == 0.0
    assert index.known_share([]) == 0.0


@pytest.mark.parametrize(
    "question",
    [
        "🍕🎉🚀",  # emoji only
        "x",  # one letter
        ("school meals " * 1600)[:19_900],  # about 20,000 characters (the longest message allowed)
        "school 学校の給食 питание в школе meals",  # mixed scripts
        "وجبات مدرسية صحية للأطفال",  # right to left
        "‏مدرسة‎ school ‮reversed‬",  # direction marks
    ],
    ids=["emoji", "one-letter", "20000-chars", "mixed-script", "right-to-left", "direction-marks"],
)
@pytest.mark.parametrize("command", ["find", "pilots", "experts"])
async def test_awkward_questions_get_a_clear_answer(chat, loaded, command, question):
    reply = await chat.say(f"{command} {question}")
    text = reply.plain_text()
    assert "went wrong" not in text and "Traceback" not in text
    assert (
        "Best matches" in text or "Experts for" in text or "matches this well" in text
        or "I found no" in text or "What should I look for" in text or "Who are you looking for" in text
        or "no word I can search by" in text
    ), text[:300]


async def test_a_changed_model_reembeds_stored_chunks_instead_of_failing(core, tmp_path):
    first = FakeEncoder()
    folder = small_knowledge_base(tmp_path / "kb")
    report = await ingest(core.db, folder, first)
    assert report.errors == [] and report.added

    other = OtherFakeEncoder()
    service = KnowledgeService(core.db, core.settings, encoder=other, check_interval=0)
    answer = await service.index.search("hot school meals with wholegrains")  # 64-d vectors stored, 32-d model
    assert answer.results[0].doc.title == "Healthy school meals in Nordby"
    async with core.db.session() as session:
        vectors = (await session.execute(select(Chunk.embedding))).scalars().all()
        models = {(meta or {}).get(EMBEDDING_MODEL_KEY) for meta in (await session.execute(select(Document.meta))).scalars()}
    assert {len(v) // 4 for v in vectors} == {OtherFakeEncoder.dimension}
    assert models == {OtherFakeEncoder.name}

    # Re-embedded in place, the documents count as unchanged for the next ingest with that model.
    other.encoded.clear()
    again = await ingest(core.db, folder, other)
    assert again.unchanged == len(report.added) and not again.added and not again.updated
    assert other.encoded == []


async def test_start_up_reembeds_a_knowledge_base_of_another_model(core, tmp_path):
    await ingest(core.db, small_knowledge_base(tmp_path / "kb"), FakeEncoder())
    other = OtherFakeEncoder()
    service = KnowledgeService(core.db, core.settings, encoder=other, check_interval=0)
    core.settings.ingest_demo_on_empty = True  # the start-up hook is switched off in tests otherwise
    await service.fill_when_empty()
    assert other.encoded  # embedded at start, not at the first question
    other.encoded.clear()
    await service.index.search("school meals")
    assert other.encoded == ["school meals"]
    index = await service.index.ensure_fresh()
    assert index.dimension == OtherFakeEncoder.dimension
    assert all(np.isclose(np.linalg.norm(b.vectors, axis=1), 1.0).all() for b in index._blocks.values())


# --- The evidence behind "nothing matches well" (knowledge/confidence.py) -----------------------------------

ALWAYS_WEAK = WeakMatch(same_language=10.0, other_language=10.0)  # by its margin alone, every search is weak


async def test_a_question_naming_a_theme_sector_or_title_is_never_weak(core, tmp_path):
    strict = FakeEncoder(weak_match_below=ALWAYS_WEAK)
    knowledge = KnowledgeService(core.db, core.settings, encoder=strict, check_interval=0)
    await ingest(core.db, small_knowledge_base(tmp_path / "kb"), strict)
    for question in ("obesity", "school food", "Nordby school meals", "municipality", "overvægt"):  # a theme in Danish too
        answer = await knowledge.index.search(question)
        assert answer.results and not answer.weak, question
    assert (await knowledge.index.search("zebra quantum saxophone")).weak


def evidence(**changed: object) -> Evidence:
    values = {
        "margin": 0.0, "coverage": 0.0, "overview": 0.0, "agreement": 0.0, "spread": 0.0, "words": 2, "translated": 0.0,
        "known_share": 0.0, "unknown_english": 0.0, "names_topic": False,
    }
    return Evidence(**{**values, **changed})


def test_the_calibrated_model_weighs_margin_and_keyword_evidence():
    encoder = FakeEncoder()
    encoder.name = MULTILINGUAL_MODEL  # uses the shipped calibration
    calibration = CALIBRATIONS[MULTILINGUAL_MODEL]
    poor = evidence(margin=-0.03, spread=0.01)
    good = evidence(margin=0.06, coverage=1.0, overview=1.0, agreement=1.0, spread=0.06, known_share=1.0)
    assert calibration.probability(good) > calibration.doubt > calibration.cut > calibration.probability(poor)
    assert judge(encoder, poor) is Match.WEAK and judge(encoder, good) is Match.CONFIDENT
    # The rule stands above it: a question naming a topic (so held in full by that document) is confident...
    named = evidence(margin=-0.01, spread=0.02, coverage=1.0, overview=1.0, known_share=1.0, words=1, names_topic=True)
    assert calibration.cut < calibration.probability(named) < calibration.doubt
    assert judge(encoder, named) is Match.CONFIDENT
    # ...unless the regression all but rules it out ("what time is it" and the tag "sedentary time"): then at
    # most unsure, never weak.
    passing = evidence(margin=-0.05, spread=0.005, coverage=1.0, known_share=1.0, words=1, names_topic=True)
    assert calibration.probability(passing) < NAMED_TOPIC_FLOOR
    assert judge(encoder, passing) is Match.UNSURE


def test_between_the_two_cuts_a_search_is_unsure():
    encoder = FakeEncoder()
    encoder.name = MULTILINGUAL_MODEL
    calibration = CALIBRATIONS[MULTILINGUAL_MODEL]
    # Evidence moved along the margin alone until its probability lies between the cuts.
    between = next(
        e for e in (evidence(margin=m / 1000, coverage=0.5, overview=0.3, agreement=1.0, spread=0.03) for m in range(-60, 80))
        if calibration.cut <= calibration.probability(e) < calibration.doubt
    )
    assert judge(encoder, between) is Match.UNSURE


def test_every_calibration_weighs_every_feature():
    for name, calibration in CALIBRATIONS.items():
        assert len(calibration.weights) == len(calibration.mean) == len(calibration.scale) == len(FEATURES), name
        assert len(evidence().features()) == len(FEATURES)


def test_words_the_knowledge_base_lacks_in_an_english_question_count_against_it():
    calibration = CALIBRATIONS[MULTILINGUAL_MODEL]
    partly = evidence(margin=0.02, coverage=0.4, overview=0.4, agreement=1.0, spread=0.04, words=4, known_share=0.5)
    lacking = evidence(**{**partly.__dict__, "unknown_english": 0.7})
    assert calibration.probability(lacking) < calibration.probability(partly)


async def unknown_english_of(knowledge, encoder, question: str) -> tuple[float, bool]:  # noqa: ANN001
    """A search's share of unknown English words and whether it names a topic, as the service gathers them."""
    index = await knowledge.index.ensure_fresh()
    analysis = analyse(question)
    vector = encoder.encode_query(question)
    found = gather_evidence(encoder, index, vector, analysis, index.search(vector, analysis.terms))
    return found.unknown_english, found.names_topic


async def test_the_unknown_english_share_weighs_the_words_no_passage_holds(loaded, knowledge, encoder):
    share, names_topic = await unknown_english_of(knowledge, encoder, "dental implants obesity")
    assert 0.5 < share < 1.0 and not names_topic  # "obesity" is a theme, but the rule does not rescue the rest
    assert await unknown_english_of(knowledge, encoder, "obesity") == (0.0, True)
    assert (await unknown_english_of(knowledge, encoder, "zebra quantum saxophone"))[0] == 1.0
    # In another language the glossary translates only the domain's words: the others count nothing.
    assert (await unknown_english_of(knowledge, encoder, "tandimplantater til overvægtige"))[0] == 0.0


def test_length_counts_distinct_words_up_to_the_longest_question_fitted():
    assert evidence(words=200).features()[5] == evidence(words=LONGEST_FITTED).features()[5]
    assert evidence(words=3).features()[5] < evidence(words=LONGEST_FITTED).features()[5]


async def test_a_repeated_word_is_counted_once(loaded, knowledge, encoder):
    index = await knowledge.index.ensure_fresh()
    question = "astronaut basket weaving " * 30
    analysis = analyse(question)
    vector = encoder.encode_query(question)
    assert gather_evidence(encoder, index, vector, analysis, index.search(vector, analysis.terms)).words == 3


def test_without_a_calibration_the_margin_threshold_decides():
    assert judge(FakeEncoder(weak_match_below=FAKE_WEAK_MATCH), evidence(margin=0.0)) is Match.WEAK
    assert judge(FakeEncoder(weak_match_below=FAKE_WEAK_MATCH), evidence(margin=0.5)) is Match.CONFIDENT
    assert judge(FakeEncoder(), evidence(margin=-1.0)) is Match.CONFIDENT  # no threshold at all: never weak


@pytest.mark.parametrize(
    "question", ["the and of", "og det er", "12345", "2024 2025", "🍕🎉🚀", "x", "?!", "how can I do what", "could you please show me anything",
                 # emoji as Slack writes them in a message's text, and Discord's custom emoji
                 ":pizza: :tada:", ":+1::skin-tone-2:", "<:party:1234> <a:wave:5678>"]
)
@pytest.mark.parametrize("command", ["find ", "pilots ", "experts ", ""])
async def test_a_question_with_no_word_to_search_by_gets_a_clear_answer(chat, loaded, command, question):
    if not command and question in ("x", "?!"):
        return  # alone, these are not taken for a question at all (a typo, an empty message)
    reply = await chat.say(f"{command}{question}")
    text = reply.plain_text()
    assert "no word I can search by" in text, text[:300]
    assert "matches this well" not in text and "Best matches" not in text and "went wrong" not in text
    assert not [s for s in reply.sections if s.title]


async def test_a_weak_answer_shows_at_most_three_without_more_and_a_good_one_says_best_matches(chat, loaded):
    weak = await chat.say("find zebra quantum saxophone")
    assert len(result_titles(weak)) <= WEAK_MATCH_SHOWN and not weak.buttons
    assert not [b for s in weak.sections for b in s.buttons if b.command.startswith("intro ")]  # no introductions either
    good = await chat.say("find school meals")
    assert good.text.startswith("Best matches") and len(result_titles(good)) > WEAK_MATCH_SHOWN


@pytest.mark.parametrize("match", [Match.CONFIDENT, Match.UNSURE, Match.WEAK])
def test_each_level_of_confidence_reads_as_it_should(match: Match):
    from bot.search import views
    from bot.search.query import parse_question
    from knowledge.index import Answer, Passage, Result
    from knowledge.search import DocInfo, Hit
    from storage.models import Member

    results = [
        Result(Hit(DocInfo(id=n, source_id=f"pilot-{n}", kind="pilot", title=f"Pilot {n}", content_hash=""), 1.0, 0.8, 0.0, n, n),
               Passage("Summary", "A pilot."), [], Passage("Summary", "A pilot."))
        for n in range(1, 7)
    ]
    answer = Answer(results, "lonely pensioners", False, match=match)
    reply = views.found(answer, Member(id=1, display_name="Una"), parse_question("lonely pensioners"), what="results")
    assert (reply.weak, reply.unsure) == (match is Match.WEAK, match is Match.UNSURE)
    notes = [s for s in reply.sections if s.context == views.PARTLY_ANSWERS_NOTE]
    assert len(notes) == (match is Match.UNSURE)  # first, with its "Ask the community" button
    if notes:
        assert reply.sections[0] is notes[0] and notes[0].buttons[0].command == "community ask lonely pensioners"
    assert ("Nothing in the knowledge base matches this well" in reply.text) == (match is Match.WEAK)
    # Only a weak answer is cut to its closest few; an unsure one shows every result.
    assert len([s for s in reply.sections if s.title]) == (views.WEAK_MATCH_SHOWN if match is Match.WEAK else 6)
