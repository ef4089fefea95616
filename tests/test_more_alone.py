"""`more` (or `next`) typed alone: the next page of the member's last long answer, on every platform."""

from __future__ import annotations

import pytest

from bot.commands import Command
from bot.reply import Reply, Section
from tests.discord_fake import FakeDiscord, Harness, dm_channel_id, message_create, user
from tests.discord_fixtures import discord, discord_settings, fake_discord  # noqa: F401 - fixtures
from tests.slack_limits import visible_text
from tests.slack_support import message_event
from tests.support import Chat, with_commands
from tests.test_slack_http import message_of


def long_answers() -> list[Command]:
    """`many` and `lots`: answers of 12 results (3 pages of 5), titled by their command."""
    declared = []
    for name in ("many", "lots"):

        async def handler(ctx, name=name):
            return Reply(text=name, sections=[Section(title=f"{name} {i}") for i in range(12)])

        declared.append(Command(name=name, summary="s", usage=name, handler=handler))
    return declared


@pytest.fixture
def features():
    return with_commands(*long_answers())


def titles(reply: Reply) -> list[str]:
    return [s.title for s in reply.sections]


async def test_more_alone_continues_the_last_long_answer_then_says_how_many_pages_it_had(chat: Chat):
    alone = await chat.say("more")
    assert alone.tone != "error" and alone.text == "No more results: your last answer has no further page."
    await chat.say("many")
    assert titles(await chat.say("more")) == [f"many {i}" for i in range(5, 10)]
    assert (await chat.say("help")).sections  # a short answer in between does not count
    third = await chat.say("next")
    assert titles(third) == ["many 10", "many 11"] and not third.buttons
    past_the_end = await chat.say("more")
    assert past_the_end.tone != "error" and past_the_end.text == "No more results: your last answer had 3 pages."


async def test_the_page_served_last_decides_which_answer_more_continues(chat: Chat):
    older = await chat.say("many")
    await chat.say("lots")
    assert titles(await chat.say("more")) == [f"lots {i}" for i in range(5, 10)]
    # The older answer's button makes it the last answer again.
    assert titles(await chat.say(older.buttons[0].command, from_button=True)) == [f"many {i}" for i in range(5, 10)]
    assert titles(await chat.say("more")) == ["many 10", "many 11"]
    assert (await chat.say("more")).text == "No more results: your last answer had 3 pages."


async def test_members_never_continue_another_members_answer(chat: Chat):
    first = await chat.say("many", as_user="alice")
    assert (await chat.say("more", as_user="bob")).text == "No more results: your last answer has no further page."
    # Bob pressing Alice's button sees that page, but it stays Alice's answer, not Bob's last one.
    await chat.say(first.buttons[0].command, as_user="bob", from_button=True)
    assert (await chat.say("more", as_user="bob")).text.startswith("No more results")
    assert titles(await chat.say("more", as_user="alice")) == [f"many {i}" for i in range(5, 10)]


async def test_more_typed_in_slack_shows_page_two_of_the_previous_answer(slack, fake_slack):
    await slack.event(message_event("many", channel="D0ALICE", channel_type="im"))
    await slack.handled(1)
    await slack.event(message_event("more", channel="D0ALICE", channel_type="im"))
    await slack.handled(2)
    first, second = [message_of(call) for call in fake_slack.to("chat.postMessage")]
    assert "many 0" in visible_text(first) and "many 5" not in visible_text(first)
    assert "(page 2 of 3)" in visible_text(second) + (second["text"] or "")
    assert "many 5" in visible_text(second) and "many 0" not in visible_text(second)


async def test_more_typed_in_discord_shows_page_two_of_the_previous_answer(discord: Harness, fake_discord: FakeDiscord):
    alice = user(1001, "alice")
    where = {"channel_id": dm_channel_id(1001), "in_guild": False}
    await discord.message(message_create(alice, "many", **where))
    await discord.message(message_create(alice, "more", **where))
    first, second = fake_discord.posted()
    assert [e["title"] for e in first["embeds"]][:1] == ["many 0"]
    assert "(page 2 of 3)" in second["content"]
    assert [e["title"] for e in second["embeds"]] == [f"many {i}" for i in range(5, 10)]


async def test_more_works_from_another_process_and_after_a_restart(core, settings, clock, features):
    """The later pages are written after the first page is answered, and still reach the database."""
    from bot.app.core import Lighthouse

    first = await Chat(core).say("many")
    other = Lighthouse(settings, clock=clock, features=features)  # another process on the same database
    await other.start()
    try:
        await core.paginator.flush()  # a moment later
        assert titles(await Chat(other).say(first.buttons[0].command, from_button=True)) == [f"many {i}" for i in range(5, 10)]
        await Chat(core).say("lots")
        await core.close()  # a restart: shutting down finishes the writes under way
        assert titles(await Chat(other).say("more")) == [f"lots {i}" for i in range(5, 10)]
    finally:
        await other.close()


async def stored_pages(core) -> int:
    from sqlalchemy import func, select

    from storage.models import ReplyPage

    async with core.db.session() as session:
        return await session.scalar(select(func.count()).select_from(ReplyPage))


async def test_later_pages_are_stored_after_the_answer_and_at_once_when_needed(core, chat: Chat):
    import asyncio

    from bot.pagination import WRITE_AFTER_SECONDS

    await chat.say("many")
    assert await stored_pages(core) == 0  # the answer did not wait for its later pages' write
    await asyncio.sleep(WRITE_AFTER_SECONDS + 0.3)
    assert await stored_pages(core) == 1  # stored on its own, shortly after
    await chat.say("lots")
    assert titles(await chat.say("more")) == [f"lots {i}" for i in range(5, 10)]  # "More" does not wait


async def test_an_erasure_right_after_a_long_answer_leaves_none_of_its_pages(core, chat: Chat):
    import asyncio

    from bot.pagination import WRITE_AFTER_SECONDS

    await chat.say("many")
    export = await chat.say("privacy export")
    assert b"many 5" in export.attachments[0].content  # the pages of the answer just given are in the export
    await chat.say("many")
    (confirm,) = (await chat.say("privacy erase")).buttons[:1]
    assert (await chat.say(confirm.command, from_button=True)).tone == "success"
    await asyncio.sleep(WRITE_AFTER_SECONDS + 0.3)
    assert await stored_pages(core) == 0


async def test_more_with_a_page_number_shows_that_page_of_the_last_answer(chat: Chat):
    none_yet = await chat.say("more 2")
    assert none_yet.tone != "error" and "no page 2" in none_yet.text
    await chat.say("many")
    third = await chat.say("more 3")
    assert third.tone != "error" and titles(third) == ["many 10", "many 11"]
    assert titles(await chat.say("more 2")) == [f"many {i}" for i in range(5, 10)]
    # after page 2, a bare `more` goes on from there
    assert titles(await chat.say("more")) == ["many 10", "many 11"]
    past = await chat.say("more 4")
    assert past.tone != "error" and past.text == "Your last answer has no page 4: it had 3 pages."
    first = await chat.say("more 1")
    assert first.tone != "error" and "Page 1 of your last answer is the answer itself" in first.text


async def test_a_page_link_to_page_one_says_what_page_one_is(chat: Chat):
    answer = await chat.say("many")
    page_id = answer.buttons[0].command.split()[1]
    first = await chat.say(f"more {page_id} 1")
    assert first.tone != "error"
    assert "Page 1 of that answer is the answer itself" in first.text and f"more {page_id} 2" in first.text
    broken = await chat.say(f"more {page_id} x")
    assert broken.tone == "error" and "That page link is not valid" in broken.text
