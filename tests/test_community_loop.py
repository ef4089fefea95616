"""Asking the community through the core (the console's path): a question with no good match is asked,
answered by a member of another country, marked helpful, kept with its author's consent, and then found
first by the next member's `find`, `experts` and `match me`, in this process and in another one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.community.service import answer_source_id
from config import Settings
from knowledge.ingest import ingest
from knowledge.service import KnowledgeService
from storage.database import Database
from storage.models import AuditEntry, CommunityAnswer, CommunityQuestion, Document, Exchange
from tests.knowledge_fakes import FakeEncoder, small_knowledge_base
from tests.support import Chat

QUESTION = "How did other municipalities reach fathers in parenting programmes about screen time?"
ANSWER = ("We recruited fathers through the local football clubs and held the sessions on Saturday mornings; "
          "attendance tripled. Evaluation: https://example.org/fathers")


def fake_knowledge(db: Database, settings: Settings) -> KnowledgeService:
    return KnowledgeService(db, settings, encoder=FakeEncoder(), check_interval=0)


@pytest.fixture
def knowledge(database, settings) -> KnowledgeService:  # noqa: ANN001
    return fake_knowledge(database, settings)


@pytest.fixture
async def loaded(core, tmp_path) -> KnowledgeService:  # noqa: ANN001
    report = await ingest(core.db, small_knowledge_base(tmp_path / "kb"), FakeEncoder())
    assert report.errors == []
    return core.knowledge


@pytest.fixture
async def second(core_with, settings, loaded):  # noqa: ANN001, ANN201
    """Another bot process on the same database."""
    return Chat(await core_with(knowledge=lambda db: fake_knowledge(db, settings)))


async def profiles(chat: Chat) -> None:
    for user, organisation, country in (
        ("ana", "Nordhavn Municipality", "Denmark"),
        ("wanjiru", "Nairobi County Health", "Kenya"),
        ("olga", "Uppsala Region", "Sweden"),
    ):
        await chat.say(f"profile set organisation {organisation}", as_user=user)
        await chat.say(f"profile set country {country}", as_user=user)


def titles(reply) -> list[str]:  # noqa: ANN001
    return [s.title for s in reply.sections if s.title]


async def test_the_whole_loop_ends_in_knowledge_found_first_in_every_process(chat, core, loaded, second, transport):
    await profiles(chat)
    asked = await chat.say(f"ask community {QUESTION}", as_user="ana")
    assert asked.tone == "success", asked.plain_text()
    assert "question #1" in asked.text
    fields = {f.label: f.value for f in asked.sections[0].fields}
    assert fields["Language"] == "English"
    board = await chat.text("community", as_user="wanjiru")
    assert "#1" in board and "ana (Nordhavn Municipality, Denmark)" in board
    shown = await chat.text("community show 1", as_user="wanjiru")
    assert QUESTION in shown and "No answers yet." in shown

    answered = await chat.say(f"community answer 1 {ANSWER}", as_user="wanjiru")
    assert answered.tone == "success", answered.plain_text()
    # The asker is told, with a Helpful button.
    told = transport.to("ana")[-1]
    assert "wanjiru (Nairobi County Health, Kenya) answered your question #1" in told.text
    helpful = [b.command for s in told.sections for b in s.buttons]
    assert helpful == ["community helpful 1 1"]
    # Only the asker marks helpful.
    refused = await chat.say("community helpful 1 1", as_user="olga")
    assert refused.tone == "error" and "Only the member who asked" in refused.text
    marked = await chat.say(helpful[0], as_user="ana")
    assert marked.tone == "success" and "asked whether it may be kept" in marked.text
    again = await chat.say(helpful[0], as_user="ana")
    assert again.tone == "error" and "already marked" in again.text
    # The author is asked; the board shows what waits for them too.
    request = transport.to("wanjiru")[-1]
    keep = [b.command for s in request.sections for b in s.buttons]
    assert keep == ["community keep 1 yes", "community keep 1 no"]
    assert "may answer #1 be kept" in await chat.text("community", as_user="wanjiru")
    kept = await chat.say(keep[0], as_user="wanjiru")
    assert kept.tone == "success", kept.plain_text()

    # The next member's find returns it first, here and in the other process.
    for talk in (chat, second):
        found = await talk.say("find fathers parenting programmes screen time", as_user="olga")
        assert titles(found)[0].startswith("Community answer · How did other municipalities reach fathers"), titles(found)
        first = {f.label: f.value for f in found.sections[0].fields}
        assert first["Countries"] == "Kenya"
        assert "wanjiru" in found.sections[0].text or "Nairobi" in first.get("Organisations", "")
        people = await talk.say("experts fathers parenting programmes", as_user="olga")
        assert "wanjiru" in titles(people)[:3], titles(people)
    async with core.db.session() as session:
        document = (await session.execute(select(Document).where(Document.source_id == answer_source_id(1)))).scalar_one()
        assert document.kind == "answer" and document.meta["answered_by"] == "wanjiru"
        exchange = (await session.execute(select(Exchange).where(Exchange.kind == "community_answer"))).scalar_one()
        assert exchange.cross_border and exchange.cross_organisation and exchange.with_source
        actions = set((await session.execute(select(AuditEntry.action))).scalars())
    assert {"community.asked", "community.answered", "community.helpful", "community.kept"} <= actions
    audit = await chat.text("audit 30", as_user="admin")
    assert "let answer #1 be kept as knowledge" in audit and "asked the community (question #1)" in audit

    # Withdrawing the consent removes it at once, in every process.
    withdrawn = await chat.say("community keep 1 no", as_user="wanjiru")
    assert "no longer in the knowledge base" in withdrawn.text
    for talk in (chat, second):
        found = await talk.say("find fathers parenting programmes screen time", as_user="olga")
        assert not any(t.startswith("Community answer") for t in titles(found))


async def test_bad_input_gets_a_clear_answer_and_nothing_is_stored_twice(chat, core, loaded, transport):
    await profiles(chat)
    empty = await chat.say("community ask", as_user="ana")
    assert "What would you like to ask" in empty.text and empty.form is not None
    too_short = await chat.say("community ask why?", as_user="ana")
    assert too_short.tone == "error" and "is a bit short for a question to the community" in too_short.text
    from_form = await chat.say("community ask question='Who has evaluated walking football for older men?'",
                               as_user="olga")
    assert from_form.tone == "success" and "question #1" in from_form.text
    huge = await chat.say("community ask " + "why " * 5000, as_user="ana")
    assert huge.tone == "error" and "limit" in huge.text
    long_but_allowed_by_router = await chat.say("community ask " + "why " * 900, as_user="ana")
    assert long_but_allowed_by_router.tone == "error" and "2,000" in long_but_allowed_by_router.text
    first = await chat.say(f"community ask {QUESTION}", as_user="ana")  # question #2
    twice = await chat.say(f"community ask {QUESTION}", as_user="ana")
    assert "already asked" in twice.text
    assert first.tone == "success"
    nothing = await chat.say("community answer 2", as_user="wanjiru")
    assert nothing.tone == "error" and "What is your answer" in nothing.text
    own = await chat.say("community answer 2 I think so", as_user="ana")
    assert own.tone == "error" and "your own question" in own.text
    missing = await chat.say("community answer 99 Something useful", as_user="wanjiru")
    assert missing.tone == "error" and "no question #99" in missing.text
    not_a_number = await chat.say("community show abc", as_user="wanjiru")
    assert not_a_number.tone == "error" and "not a question number" in not_a_number.text
    # Coordinators only may close; after that, no answers.
    refused = await chat.say("community close 2", as_user="wanjiru")
    assert refused.tone == "error" and "coordinator" in refused.text
    closed = await chat.say("community close 2", as_user="admin")
    assert closed.tone == "success"
    late = await chat.say("community answer 2 Here is what we did", as_user="wanjiru")
    assert late.tone == "error" and "closed" in late.text
    removed = await chat.say("community remove 2", as_user="admin")
    assert removed.tone == "success"
    gone = await chat.say("community show 2", as_user="wanjiru")
    assert gone.tone == "error"
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(CommunityQuestion.id)))).scalar_one() == 2
        assert (await session.execute(select(func.count(CommunityAnswer.id)))).scalar_one() == 0
        actions = list((await session.execute(select(AuditEntry.action))).scalars())
    assert "community.closed" in actions and "community.removed" in actions


async def test_helpful_answer_of_a_member_who_left_cannot_be_kept(chat, core, loaded, transport):
    await profiles(chat)
    await chat.say(f"community ask {QUESTION}", as_user="ana")
    await chat.say(f"community answer 1 {ANSWER}", as_user="wanjiru")
    confirm = (await chat.say("privacy erase", as_user="wanjiru")).buttons[0].command
    assert (await chat.say(confirm, as_user="wanjiru")).tone == "success"
    marked = await chat.say("community helpful 1 1", as_user="ana")
    assert marked.tone == "success" and "has since left" in marked.text
    shown = await chat.text("community show 1", as_user="ana")
    assert "A former member" in shown and "(text erased)" in shown and ANSWER not in shown


async def test_one_thread_reply_delivered_to_two_processes_at_once_is_one_answer(chat, core, loaded, second, transport):
    import asyncio

    from sqlalchemy import update

    from bot.message import Author, Message

    await profiles(chat)
    await chat.say(f"community ask {QUESTION}", as_user="ana")
    async with core.db.session() as session, session.begin():
        await session.execute(update(CommunityQuestion).values(thread_id="thread-1", channel_id="general"))
    reply = Message(author=Author("console", "wanjiru", "wanjiru"), text=ANSWER, channel_id="general",
                    thread_id="thread-1", message_id="m-1")
    handled = await asyncio.gather(core.thread_reply(reply), second.core.thread_reply(reply))
    assert handled == [True, True]
    other_thread = Message(author=Author("console", "wanjiru", "wanjiru"), text=ANSWER, channel_id="general",
                           thread_id="thread-2", message_id="m-2")
    assert await core.thread_reply(other_thread) is False
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(CommunityAnswer.id)))).scalar_one() == 1
        assert (await session.execute(select(func.count(Exchange.id)))).scalar_one() == 1


async def test_an_erased_askers_open_question_leaves_the_board_and_says_nothing_of_them(chat, core, loaded, transport):
    await profiles(chat)
    await chat.say(f"community ask {QUESTION}", as_user="ana")
    confirm = (await chat.say("privacy erase", as_user="ana")).buttons[0].command
    assert (await chat.say(confirm, as_user="ana")).tone == "success"
    board = await chat.text("community", as_user="wanjiru")
    assert "#1" not in board  # no empty, answerable entry on the open board
    late = await chat.say("community answer 1 Here is what we did", as_user="wanjiru")
    assert late.tone == "error" and "closed" in late.text
    shown = await chat.text("community show 1", as_user="wanjiru")
    assert "A former member" in shown and "Nordhavn" not in shown and "(text erased)" in shown
    async with core.db.session() as session:  # the indicators still count where it came from
        assert (await session.execute(select(CommunityQuestion.asker_snapshot))).scalar_one()["organisation"]
