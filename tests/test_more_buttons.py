"""The later pages of a long answer: each names the question it continues, and a "More" button posts its page
once (pressed again, by anyone, it says so privately), on every platform."""

from __future__ import annotations

import pytest

from bot.pagination import TOPIC_CHARS, page_topic
from bot.commands import Command
from bot.reply import Reply, Section
from tests.discord_fake import BOT_ID, BOT_USER, FakeDiscord, Harness, click, message_create, user
from tests.discord_fixtures import discord, discord_settings, fake_discord  # noqa: F401 - fixtures
from tests.slack_limits import buttons, visible_text
from tests.slack_support import ALICE, BOB, BOT_USER as SLACK_BOT, CAROL, GENERAL
from tests.support import Chat, with_commands
from tests.test_discord_interactions import buttons_of
from tests.test_more_alone import long_answers
from tests.test_slack_http import message_of

ASKED = "many school meals for @channel and <!here> from <@U0BOB|bob>"


@pytest.fixture
def features():
    async def secret(ctx):  # a long answer for the asker alone
        return Reply(text="secret", sections=[Section(title=f"secret {i}") for i in range(12)], private=True)

    return with_commands(*long_answers(), Command(name="secret", summary="s", usage="secret", handler=secret))


def test_the_topic_is_the_question_without_mentions_and_short():
    assert page_topic(ASKED, Reply()) == "many school meals for and from"
    assert page_topic("@everyone", Reply(text="Digest of the week\nmore")) == ""
    assert page_topic(None, Reply(text="Digest of the week\nsecond line")) == "Digest of the week"
    long = page_topic("word " * 100, Reply())
    assert len(long) == TOPIC_CHARS and long.endswith("…")


async def test_a_later_page_names_the_question_it_continues(chat: Chat):
    first = await chat.say(ASKED, as_user="alice")
    second = await chat.say(first.buttons[0].command, as_user="bob", from_button=True)
    assert second.text == "“many school meals for and from”, continued (page 2 of 3)" and not second.private
    assert (await chat.say("more", as_user="alice")).text.startswith("“many school meals for and from”, continued")


async def test_a_more_button_posts_its_page_once(chat: Chat):
    first = await chat.say("many school meals", as_user="alice")
    (more,) = first.buttons
    second = await chat.say(more.command, as_user="bob", from_button=True)
    assert [s.title for s in second.sections] == [f"many {i}" for i in range(5, 10)] and not second.private
    again = await chat.say(more.command, as_user="carol", from_button=True)
    assert again.private and again.text.startswith("Page 2 of 3 of that answer is already posted")
    assert not again.sections and not again.buttons
    # The next button still posts its page once; a typed link is served whenever asked.
    assert (await chat.say(second.buttons[0].command, as_user="alice", from_button=True)).sections
    assert (await chat.say(second.buttons[0].command, as_user="alice", from_button=True)).private
    assert (await chat.say(more.command, as_user="alice")).sections


async def test_slack_more_names_the_question_and_an_old_button_answers_only_the_clicker(slack, fake_slack):
    await slack.event({"type": "app_mention", "user": ALICE, "channel": GENERAL, "ts": "1700000001.000100",
                       "text": f"<@{SLACK_BOT}> many *school* meals <!channel> for <@{BOB}>"})
    await slack.handled(1)
    (first,) = [message_of(call) for call in fake_slack.to("chat.postMessage")]
    (more,) = [b["value"] for b in buttons(first) if b["value"].startswith("more ")]
    await slack.click(more, user=BOB)
    await slack.handled(2)
    second = message_of(fake_slack.to("chat.postMessage")[-1])
    shown = visible_text(second)
    assert "continued (page 2 of 3)" in shown and "many 5" in shown and "school" in shown
    assert "channel" not in shown and "<@" not in shown and "bob" not in shown.lower()
    # The same button again: nothing new in the channel, a note for the clicker alone.
    await slack.click(more, user=CAROL)
    await slack.handled(3)
    assert len(fake_slack.to("chat.postMessage")) == 2
    note = fake_slack.to("response_url")[-1].args
    assert note["response_type"] == "ephemeral" and "already posted" in visible_text(note)


async def test_discord_more_names_the_question_and_an_old_button_answers_only_the_clicker(
    discord: Harness, fake_discord: FakeDiscord  # noqa: F811
):
    alice, bob, carol = user(1001, "alice"), user(1002, "bob"), user(1003, "carol")
    await discord.message(message_create(alice, f"<@{BOT_ID}> many school meals @everyone", mentions=[BOT_USER]))
    shown = fake_discord.last_message()
    (more,) = buttons_of(shown)
    await discord.interaction(click(bob, shown, more["custom_id"]))
    second = fake_discord.callbacks()[-1].body
    assert second["type"] == 4 and not second["data"].get("flags")
    assert second["data"]["content"] == "“many school meals”, continued (page 2 of 3)"
    await discord.interaction(click(carol, shown, more["custom_id"]))
    again = fake_discord.callbacks()[-1].body
    assert again["data"]["flags"] & 64  # ephemeral: only the clicker sees it
    assert "already posted" in again["data"]["content"] and not again["data"].get("embeds")


async def test_a_private_answers_more_button_serves_its_page_again_to_its_member(chat: Chat):
    first = await chat.say("secret", as_user="alice")
    (more,) = first.buttons
    for _ in range(2):  # an ephemeral page is gone once dismissed or reloaded: pressed again, it comes again
        page = await chat.say(more.command, as_user="alice", from_button=True)
        assert [s.title for s in page.sections] == [f"secret {i}" for i in range(5, 10)] and page.private
    assert not (await chat.say(more.command, as_user="bob", from_button=True)).sections  # never anyone else's
