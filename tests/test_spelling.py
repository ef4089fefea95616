"""Typing slips in questions (knowledge/spelling.py): corrected against the knowledge base's own words, never
a dictionary word, never another language's."""

from __future__ import annotations

import pytest

from knowledge.spelling import one_edit, read_question, spelled_out
from knowledge.terms import terms
from tests.knowledge_fakes import (  # noqa: F401 - encoder, knowledge: fixtures
    encoder, knowledge, small_knowledge_base,
)

# The knowledge base's terms and in how many passages each occurs.
HELD = {term: 3 for term in terms("obesity school meals health literacy loneliness telepsychiatry refugees GLP-1 wholegrains "
                                   "salad taping")}


def holding(term: str) -> int:
    return HELD.get(term, 0)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("obesitty", "obesity"),  # a letter doubled
        ("obsity", "obesity"),  # one left out
        ("shcool meals", "school meals"),  # two swapped
        ("helth literacy in Denmark", "health literacy in Denmark"),
        ("refugess mental health", "refugees mental health"),  # one changed
        ("telepsyciatry", "telepsychiatry"),  # a word no dictionary holds, but the knowledge base does
        ("GLP1", "GLP-1"),  # a hyphen added; the capitals kept
        ("Obesitty in schools", "Obesity in schools"),
    ],
)
def test_a_slip_one_edit_from_a_word_the_knowledge_base_holds_is_corrected(question, expected):
    assert spelled_out(question, holding) == expected
    reading = read_question(question, holding)
    assert reading.corrected == expected and reading.other == expected
    assert set(terms(expected)) <= set(reading.analysis.terms)


@pytest.mark.parametrize(
    "question",
    [
        "obesity",  # held
        "dental care",  # an English word, however close to one held ("rental")
        "semaglutide",  # unknown, but one edit from nothing held
        "implantes dentales",  # Spanish: a word that is neither known nor a slip leaves the question alone
        "blyrør i gamle huse",  # Danish
        "ppl",  # too short to judge
        "the and of",  # stop words
        "2024",
        "check-up",  # a hyphen next to a hyphen is no word
        "salud",  # Spanish (the glossary's "salud mental"), not a slip of "salad"
        "vaping teens",  # a new word the dictionary lacks: its first letter is kept, so never "taping"
    ],
)
def test_known_words_other_languages_and_short_words_are_left_alone(question):
    assert spelled_out(question, holding) == ""


def test_a_question_in_another_language_is_read_by_the_glossary_not_corrected():
    reading = read_question("overvægt hos børn", holding)
    assert reading.corrected == "" and reading.other == reading.analysis.english != ""


def test_one_edit_holds_each_kind_of_edit_once():
    edits = one_edit("cat")
    assert {"ct", "cta", "act", "cut", "cart", "c-at"} <= edits and "cat" not in edits
    assert not {"at", "bat", "-cat"} & edits  # the first letter stays (but may swap with the second)


async def test_find_searches_a_slip_as_the_word_the_knowledge_base_holds_and_says_so(chat, knowledge, encoder, core, tmp_path):
    from knowledge.ingest import ingest

    await ingest(core.db, small_knowledge_base(tmp_path / "kb"), encoder)
    reply = await chat.say("find wholegrians")
    assert "Searched as “wholegrains”" in reply.text
    assert reply.sections[0].title == "Pilot · Healthy school meals in Nordby"
    assert "wholegrains" in reply.sections[0].context  # the "why" names the word as the passage writes it
    plain = await chat.say("find wholegrains")
    assert "Searched as" not in plain.text
