"""Questions to the community in Slack and Discord channels: posted as a thread the bot starts, where replies
are answers (once each, however often delivered); replies in other threads are not. Through the real
adapters: signed Slack requests against a fake Web API, and Discord gateway payloads through discord.py."""

from __future__ import annotations

from sqlalchemy import select

from bot.message import Author, Message
from storage.models import CommunityAnswer, CommunityQuestion, Exchange
from tests.discord_fake import BOT_ID, BOT_USER, CHANNEL_ID, FakeDiscord, Harness, message_create, thread_channel, user
from tests.discord_fixtures import discord, discord_settings, fake_discord  # noqa: F401 - fixtures
from tests.slack_support import ALICE, BOB, BOT_USER as SLACK_BOT, CAROL, GENERAL, message_event

QUESTION = "How did other municipalities reach fathers in parenting programmes about screen time?"


async def profiles(core, platform: str, people: dict[str, list[str]]) -> None:  # noqa: ANN001
    for user_id, values in people.items():
        for value in values:
            author = Author(platform=platform, user_id=user_id, display_name=user_id)
            await core.handle(Message(author=author, text=f"profile set {value}", is_direct=True))


async def rows(core, model):  # noqa: ANN001, ANN201
    async with core.db.session() as session:
        return (await session.execute(select(model).order_by(model.id))).scalars().all()


# --- Slack -------------------------------------------------------------------------------------------------


def slack_reply(user_id: str, thread: str, text: str, ts: str) -> dict:
    return message_event(text, user=user_id, channel=GENERAL, channel_type="channel", thread_ts=thread,
                         parent_user_id=SLACK_BOT, ts=ts)


async def test_slack_a_question_becomes_a_thread_whose_replies_are_answers(slack, fake_slack, core):  # noqa: ANN001
    await profiles(core, "slack", {
        ALICE: ["organisation Nordhavn Municipality", "country DK"],
        BOB: ["organisation Vestfjord Hospital", "country NO"],
    })
    core.settings.admins = [*core.settings.admins, f"slack:{CAROL}"]
    await slack.command("community channel here", user=CAROL)
    await slack.handled(1)  # the channel is set before the question is asked
    await slack.command(f"community ask {QUESTION}", user=ALICE)
    await slack.handled(2)
    (question,) = await rows(core, CommunityQuestion)
    (post,) = [p for p in fake_slack.posts() if p.args.get("channel") == GENERAL and "Question to the community" in p.args["text"]]
    assert post.args.get("thread_ts") is None
    assert question.channel_id == GENERAL and question.thread_id and question.thread_id.startswith("1700000000.")

    reply = slack_reply(BOB, question.thread_id, "We went through the football clubs: https://example.org/x", "1700000200.000001")
    await slack.event(reply, event_id="EvANSWER1")
    await slack.event(reply, event_id="EvANSWER1", retry_num=1)  # Slack's retry
    await slack.event(reply, event_id="EvANSWER2")  # the same message delivered again under another id
    # A reply in a thread the bot did not start, and the asker's own follow-up, are not answers.
    await slack.event(slack_reply(BOB, "1700000000.999999", "elsewhere", "1700000200.000002"))
    await slack.event(slack_reply(ALICE, question.thread_id, "Thanks, any numbers?", "1700000200.000003"))
    await slack.handled(7)
    (answer,) = await rows(core, CommunityAnswer)
    assert answer.text.startswith("We went through the football clubs") and answer.platform == "slack"
    assert answer.message_id == "1700000200.000001"
    (exchange,) = [e for e in await rows(core, Exchange) if e.kind == "community_answer"]
    assert exchange.cross_border and exchange.with_source and exchange.channel_id == GENERAL
    # The asker was told by direct message, with a Helpful button.
    told = [p for p in fake_slack.posts() if p.args.get("channel") == "D0ALICE"]
    assert any("answered your question #1" in p.args.get("text", "") for p in told)
    assert any("community helpful 1 1" in str(p.args.get("blocks")) for p in told)


# --- Discord -----------------------------------------------------------------------------------------------

ANA, BEN = user(2001, "ana"), user(2002, "ben")
MOD = user(2003, "mod")


async def test_discord_a_question_becomes_a_thread_whose_messages_are_answers(discord: Harness, fake_discord: FakeDiscord):  # noqa: F811
    core = discord.core
    await profiles(core, "discord", {
        ANA["id"]: ["organisation Nordhavn Municipality", "country DK"],
        BEN["id"]: ["organisation Nairobi County Health", "country KE"],
    })
    core.settings.admins = [*core.settings.admins, f"discord:{MOD['id']}"]
    mention = f"<@{BOT_ID}>"
    await discord.message(message_create(MOD, f"{mention} community channel here", mentions=[BOT_USER]))
    await discord.message(message_create(ANA, f"{mention} community ask {QUESTION}", mentions=[BOT_USER]))
    (question,) = await rows(core, CommunityQuestion)
    assert question.channel_id == str(CHANNEL_ID) and question.thread_id
    opened = fake_discord.find("POST", rf"/channels/{CHANNEL_ID}/messages/{question.thread_id}/threads")
    assert len(opened) == 1

    thread_id = int(question.thread_id)
    discord.state.parse_thread_create({**thread_channel(thread_id, BOT_ID), "newly_created": True})
    answer_message = message_create(BEN, "Saturday sessions with the football clubs tripled attendance.", channel_id=thread_id)
    await discord.message(answer_message)
    await discord.message(answer_message)  # delivered twice
    await discord.message(message_create(ANA, "Thank you!", channel_id=thread_id))  # the asker's follow-up
    other = 990000000000000777
    discord.state.parse_thread_create({**thread_channel(other, int(ANA["id"])), "newly_created": True})
    await discord.message(message_create(BEN, "not about a question", channel_id=other))
    (answer,) = await rows(core, CommunityAnswer)
    assert answer.text.startswith("Saturday sessions") and answer.platform == "discord"
    assert answer.message_id == answer_message["id"]
    # The asker got a DM about it.
    dms = [c for c in fake_discord.find("POST", r"/channels/\d+/messages") if "answered your question #1" in str(c.body)]
    assert len(dms) == 1


async def test_an_answer_to_a_closed_question_in_its_thread_is_explained_by_dm(discord: Harness, fake_discord: FakeDiscord):  # noqa: F811
    core = discord.core
    core.settings.admins = [*core.settings.admins, f"discord:{MOD['id']}"]
    mention = f"<@{BOT_ID}>"
    await discord.message(message_create(MOD, f"{mention} community channel here", mentions=[BOT_USER]))
    await discord.message(message_create(ANA, f"{mention} community ask {QUESTION}", mentions=[BOT_USER]))
    await discord.message(message_create(MOD, f"{mention} community close 1", mentions=[BOT_USER]))
    (question,) = await rows(core, CommunityQuestion)
    thread_id = int(question.thread_id)
    discord.state.parse_thread_create({**thread_channel(thread_id, BOT_ID), "newly_created": True})
    await discord.message(message_create(BEN, "x" * 3500, channel_id=thread_id))
    await discord.message(message_create(BEN, "We used the football clubs.", channel_id=thread_id))
    assert await rows(core, CommunityAnswer) == []
    refused = [str(c.body) for c in fake_discord.find("POST", r"/channels/\d+/messages")
               if "was not stored as an answer" in str(c.body)]
    assert len(refused) == 2
    assert "3,500 characters" in refused[0] and "is closed, so it takes no more answers" in refused[1]
