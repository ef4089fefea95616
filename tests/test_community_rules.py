"""Asking the community: how it is reached from a weak answer, who is told of a question (with consent, a few
times a week at most), privacy export and erasure, and ingests that neither delete nor bring back kept answers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.community.service import answer_source_id
from knowledge.embeddings import WeakMatch
from knowledge.ingest import ingest
from storage.models import CommunityAnswer, CommunityNotice, CommunityQuestion, Document
from tests.knowledge_fakes import FakeEncoder, small_knowledge_base
from tests.support import Chat
from tests.test_community_loop import ANSWER, QUESTION, knowledge, loaded, profiles, titles  # noqa: F401 - fixtures


async def kept_answer(chat) -> None:  # noqa: ANN001
    await profiles(chat)
    await chat.say(f"community ask {QUESTION}", as_user="ana")
    await chat.say(f"community answer 1 {ANSWER}", as_user="wanjiru")
    await chat.say("community helpful 1 1", as_user="ana")
    assert (await chat.say("community keep 1 yes", as_user="wanjiru")).tone == "success"


async def documents(core, source_id: str) -> int:  # noqa: ANN001
    async with core.db.session() as session:
        return (await session.execute(select(func.count(Document.id)).where(Document.source_id == source_id))).scalar_one()


async def test_a_weak_answer_offers_to_ask_the_community_and_ask_alone_still_searches(core_with, settings, loaded):  # noqa: F811
    weak_encoder = FakeEncoder(weak_match_below=WeakMatch(2.0, 2.0))
    core = await core_with(knowledge=lambda db: type(loaded)(db, settings, encoder=weak_encoder, check_interval=0))
    chat = Chat(core)
    weak = await chat.say("ask how do we keep volunteers motivated", as_user="ana")
    assert "Nothing in the knowledge base matches this well" in weak.text
    (button,) = [b for s in weak.sections for b in s.buttons if b.label == "Ask the community"]
    assert button.command == "community ask how do we keep volunteers motivated"
    assert "community ask" in weak.plain_text()
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(CommunityQuestion.id)))).scalar_one() == 0  # only searched
    pressed = await chat.say(button.command, as_user="ana")
    assert pressed.tone == "success" and "question #1" in pressed.text
    # A longer question: the button opens the form with the question filled in.
    long_question = "how do we keep the volunteers of our walking groups motivated through a long dark northern winter"
    weak = await chat.say(f"ask {long_question}", as_user="ana")
    (button,) = [b for s in weak.sections for b in s.buttons if b.label == "Ask the community"]
    assert button.command == f"community ask --edit {long_question}"
    assert (await chat.say(button.command, as_user="ana")).form.fields[0].value == long_question
    # `community <words>` that name no subcommand is still a plain question, searched.
    searched = await chat.say("community health workers in schools", as_user="ana")
    assert "community ask" in searched.text and searched.tone != "error"


async def test_members_who_opted_in_are_told_of_matching_questions_a_few_times_a_week(chat, core, clock, transport):
    await chat.say("profile set expertise parenting programmes, fathers", as_user="expert")
    await chat.say("profile set expertise parenting programmes", as_user="shy")  # never opted in
    await chat.say("profile set expertise school meals", as_user="other")  # opted in, other topic
    assert (await chat.say("privacy consent community-questions on", as_user="expert")).tone == "success"
    await chat.say("privacy consent community-questions on", as_user="other")
    for number in range(1, 5):
        reply = await chat.say(f"community ask Question {number}: how do parenting programmes reach fathers?",
                               as_user="ana")
        assert reply.tone == "success"
    notices = [r for r in transport.to("expert") if "about your expertise" in r.text]
    assert len(notices) == core.settings.community_notices_per_week == 3
    assert transport.to("shy") == [] and transport.to("other") == []
    assert "privacy consent community-questions off" in notices[0].plain_text()
    clock.advance(timedelta(days=8))
    await chat.say("community ask And how do parenting programmes keep fathers coming back?", as_user="ana")
    assert len([r for r in transport.to("expert") if "about your expertise" in r.text]) == 4
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(CommunityNotice.id)))).scalar_one() == 4
    await chat.say("privacy consent community-questions off", as_user="expert")
    await chat.say("community ask Parenting programmes for fathers online?", as_user="ana")
    assert len([r for r in transport.to("expert") if "about your expertise" in r.text]) == 4


async def test_anonymous_questions_name_nobody(chat, core, transport):
    await profiles(chat)
    await chat.say("privacy consent community-questions on", as_user="wanjiru")
    await chat.say("profile set expertise fathers", as_user="wanjiru")
    asked = await chat.say(f"community ask --anonymous {QUESTION}", as_user="ana")
    assert "anonymous" in asked.plain_text()
    board = await chat.text("community", as_user="olga")
    assert "A member (anonymous)" in board and "ana" not in board and "Nordhavn" not in board
    notice = transport.to("wanjiru")[-1].plain_text()
    assert "A member (anonymous)" in notice and "Nordhavn" not in notice


async def test_export_has_questions_and_answers_and_erasure_removes_them(chat, core, loaded, transport):  # noqa: F811
    await kept_answer(chat)
    export = json.loads((await chat.say("privacy export", as_user="wanjiru")).attachments[0].content)
    (answer,) = export["community"]["answers"]
    assert answer["text"] == ANSWER and answer["kept_as_knowledge"] is True
    assert any(d["source_id"] == answer_source_id(1) for d in export["knowledge_base"])
    asked = json.loads((await chat.say("privacy export", as_user="ana")).attachments[0].content)
    (question,) = asked["community"]["questions"]
    assert question["text"] == QUESTION and question["answers_received"] == 1
    assert "Questions and answers to the community (1)" in await chat.text("privacy", as_user="ana")

    # The asker erases: the question's words go, also from the kept answer's document, which stays.
    confirm = (await chat.say("privacy erase", as_user="ana")).buttons[0].command
    assert (await chat.say(confirm, as_user="ana")).tone == "success"
    async with core.db.session() as session:
        question_row = (await session.execute(select(CommunityQuestion))).scalar_one()
        assert question_row.asker_id is None and question_row.text == ""
        assert question_row.asker_snapshot["country"] == "DK"  # the indicators still count it
        chunks = (await session.execute(select(Document).where(Document.source_id == answer_source_id(1)))).scalar_one()
    assert "fathers in parenting programmes about screen time" not in chunks.title
    # The answerer erases: their answer leaves the knowledge base at once, and its text goes.
    confirm = (await chat.say("privacy erase", as_user="wanjiru")).buttons[0].command
    assert (await chat.say(confirm, as_user="wanjiru")).tone == "success"
    assert await documents(core, answer_source_id(1)) == 0
    async with core.db.session() as session:
        answer_row = (await session.execute(select(CommunityAnswer))).scalar_one()
    assert answer_row.author_id is None and answer_row.text == "" and answer_row.keep_state is None
    found = await chat.say("find football clubs saturday fathers", as_user="olga")
    assert not any(t.startswith("Community answer") for t in titles(found))


async def test_an_ingest_neither_deletes_nor_brings_back_a_kept_answer(chat, core, loaded, tmp_path):  # noqa: F811
    await kept_answer(chat)
    folder = small_knowledge_base(tmp_path / "kb")
    report = await ingest(core.db, folder, FakeEncoder())
    assert report.errors == [] and answer_source_id(1) not in report.removed
    assert await documents(core, answer_source_id(1)) == 1
    await chat.say("community keep 1 no", as_user="wanjiru")
    assert await documents(core, answer_source_id(1)) == 0
    await ingest(core.db, folder, FakeEncoder())
    assert await documents(core, answer_source_id(1)) == 0
    # It is only ever kept again by its author.
    await chat.say("community keep 1 yes", as_user="wanjiru")
    assert await documents(core, answer_source_id(1)) == 1


async def test_match_me_returns_a_kept_answer(chat, core, loaded):  # noqa: F811
    await kept_answer(chat)
    await chat.say("profile set interests fathers parenting programmes screen time", as_user="olga")
    found = await chat.say("match me", as_user="olga")
    assert any(t.startswith("Community answer") for t in titles(found)) or "wanjiru" in titles(found)


@pytest.mark.parametrize("command", ["community keep 1 yes", "community keep 1 maybe", "community keep x yes"])
async def test_keeping_needs_the_author_and_a_helpful_mark(chat, core, loaded, command):  # noqa: F811
    await profiles(chat)
    await chat.say(f"community ask {QUESTION}", as_user="ana")
    await chat.say(f"community answer 1 {ANSWER}", as_user="wanjiru")
    refused = await chat.say(command, as_user="olga" if command.endswith("yes") and "x" not in command else "wanjiru")
    assert refused.tone == "error"
    not_yet = await chat.say("community keep 1 yes", as_user="wanjiru")
    assert not_yet.tone == "error" and "not been marked helpful" in not_yet.text


def test_a_short_question_is_told_by_its_one_function_word_or_the_words_the_glossary_reads():
    from bot.community.detect import detect_language

    assert detect_language("second anonymous question about school canteen budgets") == "en"
    assert detect_language("hvordan finansierer I skolemad?") == "da"  # "skolemad": Danish by the glossary
    assert detect_language("wie finanziert ihr Schulessen?") == "de"
    assert detect_language("school canteen budgets") is None  # nothing tells: "unknown", not a guess
    assert detect_language("qwxz plorf snee") is None


async def test_a_question_too_short_for_the_community_is_told_so_not_asked_for_again(chat):
    reply = await chat.say("community ask lonliness")
    assert reply.tone == "error" and "“lonliness” is a bit short" in reply.text
