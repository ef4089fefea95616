"""With the real default model over the whole demo knowledge base (slow): the README's and `help`'s
examples and well-answered short questions are answered with confidence and page with More; questions the
demo cannot answer, in English and other languages, are flagged: weak (at most three results, no "Introduce
me") or unsure (the note first); a member's own declared expertise is found with confidence. The demo is
ingested once for all of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.core import Lighthouse
from bot.search.views import PARTLY_ANSWERS_NOTE, WEAK_MATCH_SHOWN
from config import Settings
from tests.support import Chat

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
WEAK = "Nothing in the knowledge base matches this well"
# The short questions, the README's, and the examples `help find|pilots|experts` shows.
ANSWERED = (
    "obesity", "diabetes", "mental health", "procurement", "school obesity", "pilots school obesity",
    "how did other municipalities reduce childhood obesity in schools?",
    "find school food programmes that reduced sugary drinks", "find loneliness among older people country:DK",
    "find digital mental health --sector hospital", "pilots peer support for young people country:DK",
    "experts school food procurement", "experts --cross-border digital mental health for teenagers",
    "experts --sector hospital childhood obesity treatment", "find school food programmes",
    "overvægt", "psykisk helse", "salud mental", "afya ya akili", "Schulverpflegung",
    # Wrapped in polite or question words, which are no keywords.
    "please look at school food", "hi, do we have anything about telepsychiatry?",
)
UNANSWERED = (
    "find dental implants", "find antibiotic use in pig farming", "find wifi router keeps disconnecting",
    "find a recipe for banana bread", "find asdfgh qwerty zxcvb", "find Zahnimplantate",
    "find antibiotikabruk i svineoppdrett", "find mapishi ya pilau", "find recette de la tarte tatin",
    "find dental implants for older adults", "find hearing aids for elderly people",  # "older adults" is a tag word
    "find how do I reset my email password",  # "how" and "do" matched passages before they were stop words
    "what time is it",  # "time" names only part of a tag ("sedentary time")
)
pytestmark = pytest.mark.slow


def titles(reply) -> list[str]:  # noqa: ANN001
    return [s.title for s in reply.sections if s.title]


async def test_confidence_with_the_default_model_on_the_demo(database_url, clock):
    settings = Settings(_env_file=None, database_url=database_url, knowledge_dir=DEMO, ingest_demo_on_empty=True)
    core = Lighthouse(settings, clock=clock)
    await core.start()
    try:
        await core.knowledge.fill_when_empty()
        chat = Chat(core)
        for question in ANSWERED:
            reply = await chat.say(question)
            assert not reply.weak and not reply.unsure, (question, reply.text)
            assert titles(reply), question
        # A confident answer pages normally: the first page, and More for the rest.
        paged = await chat.say("pilots school obesity")
        assert titles(paged)[0] == "Pilot · Healthy School Meals in Nordhavn"
        assert paged.buttons and paged.buttons[0].command.startswith("more ")
        # Weight-loss injections, in everyday German, are the obesity medicines: the pilot that prescribes them.
        injections = await chat.say("Abnehmspritze und Ernährungsberatung")
        assert titles(injections)[0] == "Pilot · Lifestyle Support Alongside Obesity Medication", injections.text

        for question in UNANSWERED:
            reply = await chat.say(question)
            assert reply.weak or reply.unsure, (question, reply.text)
            if reply.weak:
                assert WEAK in reply.text and len(titles(reply)) <= WEAK_MATCH_SHOWN and not reply.buttons, question
                assert not [b for s in reply.sections for b in s.buttons if b.command.startswith("intro ")], question
            else:
                assert reply.sections[0].context == PARTLY_ANSWERS_NOTE, question

        # A member's own declared expertise: found, and not called weak.
        await chat.say("profile set organisation Vestby Sports Club", as_user="nina")
        await chat.say("profile set expertise walking football, falls prevention for older men", as_user="nina")
        reply = await chat.say("experts walking football", as_user="alice")
        assert not reply.weak and not reply.unsure and titles(reply)[0] == "nina", reply.text
    finally:
        await core.close()
