"""Direct messages, mentions of the bot in channels and threads, and passive exchange logging."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.discord.client import gateway_intents, shard_options
from config import Settings, SettingsError, load_settings
from storage.models import DeliveryReceipt, Exchange
from tests.discord_fake import (
    BOT_ID,
    BOT_ROLE_ID,
    BOT_USER,
    CHANNEL_ID,
    GUILD_ID,
    THREAD_ID,
    FakeDiscord,
    Harness,
    dm_channel_id,
    message_create,
    slash,
    thread_channel,
    user,
)
from tests.discord_fixtures import discord, discord_settings, fake_discord  # noqa: F401 - fixtures
from tests.test_discord_interactions import replace_handle

ALICE = user(1001, "alice")
BOB = user(1002, "bob")
CAROL = user(1003, "carol")
MENTION = f"<@{BOT_ID}>"


def dm(author: dict, text: str) -> dict:
    return message_create(author, text, channel_id=dm_channel_id(int(author["id"])), in_guild=False)


async def test_direct_messages_are_answered_in_the_dm(discord: Harness, fake_discord: FakeDiscord):
    await discord.message(dm(ALICE, "help"))
    (call,) = fake_discord.find("POST", r"/channels/\d+/messages")
    assert call.path == f"/channels/{dm_channel_id(int(ALICE['id']))}/messages"
    assert call.body["embeds"][0]["title"] == "Commands" and "message_reference" not in call.body
    await discord.message(dm(ALICE, "profile set country Kenya"))
    assert fake_discord.posted()[-1]["content"] == "Saved: country = Kenya (KE)."  # private is fine in a DM


async def test_a_mention_in_a_channel_is_answered_there_as_a_reply(discord: Harness, fake_discord: FakeDiscord):
    asked = replace_handle(discord.core, {})
    original = message_create(ALICE, f"{MENTION} help", mentions=[BOT_USER])
    await discord.message(original)
    assert asked[0].text == "help" and asked[0].channel_id == str(CHANNEL_ID) and asked[0].guild_id == str(GUILD_ID)
    (call,) = fake_discord.find("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert str(call.body["message_reference"]["message_id"]) == original["id"]
    assert call.body["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert call.body["embeds"][0]["title"] == "Commands"


async def test_a_message_delivered_twice_is_answered_once(discord: Harness, fake_discord: FakeDiscord):
    asked = replace_handle(discord.core, {})
    original = message_create(ALICE, f"{MENTION} help", mentions=[BOT_USER])
    await discord.message(original)
    await discord.message(original)  # the same message id again (a gateway redelivery)
    assert len(asked) == 1 and len(fake_discord.find("POST", rf"/channels/{CHANNEL_ID}/messages")) == 1
    async with discord.core.db.session() as session:
        keys = (await session.execute(select(DeliveryReceipt.key))).scalars().all()
    assert keys == [f"discord:message:{original['id']}"]


async def test_a_mention_of_the_bots_role_counts_as_a_mention(discord: Harness, fake_discord: FakeDiscord):
    asked = replace_handle(discord.core, {})
    await discord.message(message_create(ALICE, f"<@&{BOT_ROLE_ID}> help profile"))
    assert [m.text for m in asked] == ["help profile"]


async def test_private_answers_to_a_mention_go_to_the_dms(discord: Harness, fake_discord: FakeDiscord):
    await discord.message(message_create(ALICE, f"{MENTION} profile", mentions=[BOT_USER]))
    (dm_call,) = fake_discord.find("POST", rf"/channels/{dm_channel_id(int(ALICE['id']))}/messages")
    assert dm_call.body["embeds"][0]["title"] == "Your profile"
    (note,) = fake_discord.find("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert note.body["content"] == "I've sent you my answer in a direct message."
    assert "embeds" not in note.body or note.body["embeds"] == []


async def test_closed_dms_are_said_in_the_channel_without_the_private_answer(discord: Harness, fake_discord):
    fake_discord.fail("POST", rf"/channels/{dm_channel_id(int(ALICE['id']))}/messages", 403,
                      "Cannot send messages to this user", code=50007)
    await discord.message(message_create(ALICE, f"{MENTION} profile", mentions=[BOT_USER]))
    (note,) = fake_discord.find("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert note.body["content"].startswith("I couldn't send you a direct message.")
    assert not note.body.get("embeds")


async def test_everyone_in_user_text_is_sent_with_mentions_disabled(discord: Harness, fake_discord: FakeDiscord):
    await discord.message(message_create(ALICE, f"{MENTION} help @everyone <@&55> hello", mentions=[BOT_USER]))
    await discord.interaction(slash(ALICE, "help", {"command": "@here"}))
    channel_post = fake_discord.find("POST", rf"/channels/{CHANNEL_ID}/messages")[0].body
    slash_answer = fake_discord.callbacks()[-1].body["data"]
    for body in (channel_post, slash_answer):
        assert body["allowed_mentions"]["parse"] == []
        assert body["content"].startswith("There is no command")
    assert "@\u200beveryone" in channel_post["content"] and "@everyone" not in channel_post["content"]
    assert "@\u200bhere" in slash_answer["content"] and "@here" not in slash_answer["content"]


async def test_other_bots_and_the_bot_itself_are_ignored(discord: Harness, fake_discord: FakeDiscord):
    asked = replace_handle(discord.core, {})
    await discord.message(message_create(user(1999, "otherbot", bot=True), f"{MENTION} help", mentions=[BOT_USER]))
    await discord.message(message_create(BOT_USER, f"{MENTION} help", mentions=[BOT_USER]))
    await discord.message(dm(user(1998, "dmbot", bot=True), "help"))
    assert asked == [] and fake_discord.posted() == []


async def test_a_mention_in_a_thread_is_recorded_under_its_channel(discord: Harness, fake_discord: FakeDiscord):
    discord.state.parse_thread_create({**thread_channel(THREAD_ID, int(ALICE["id"])), "newly_created": True})
    asked = replace_handle(discord.core, {})
    await discord.message(message_create(BOB, f"{MENTION} help", channel_id=THREAD_ID, mentions=[BOT_USER]))
    assert (asked[0].channel_id, asked[0].thread_id) == (str(CHANNEL_ID), str(THREAD_ID))
    assert fake_discord.find("POST", rf"/channels/{THREAD_ID}/messages")


async def profiles(discord: Harness) -> None:
    for author, organisation, sector, country in [
        (ALICE, "Nordhavn Municipality", "municipality", "DK"),
        (BOB, "Vestfjord Hospital", "hospital", "NO"),
        (CAROL, "Nordhavn Municipality", "municipality", "DK"),
    ]:
        for text in (f"profile set organisation {organisation}", f"profile set sector {sector}",
                     f"profile set country {country}"):
            await discord.message(dm(author, text))


async def exchanges(discord: Harness) -> list[Exchange]:
    async with discord.core.db.session() as session:
        return list((await session.execute(select(Exchange))).scalars())


async def test_a_reply_across_organisations_is_an_exchange_with_server_and_channel(discord: Harness):
    await profiles(discord)
    question = message_create(ALICE, "Has anyone tried school meal audits?")
    await discord.message(question)
    answer = message_create(BOB, "Yes, in Vestfjord: secret details", referenced=question)
    await discord.message(answer)
    await discord.message(answer)  # delivered again
    (row,) = await exchanges(discord)
    assert (row.guild_id, row.channel_id, row.platform) == (str(GUILD_ID), str(CHANNEL_ID), "discord")
    assert (row.cross_organisation, row.cross_sector, row.cross_border) == (True, True, True)
    assert (row.country_a, row.country_b) == ("DK", "NO")
    assert all("secret" not in str(value) for value in vars(row).values())


async def test_a_message_in_someone_elses_thread_is_an_exchange(discord: Harness):
    await profiles(discord)
    discord.state.parse_thread_create({**thread_channel(THREAD_ID, int(ALICE["id"])), "newly_created": True})
    await discord.message(message_create(ALICE, "my own thread", channel_id=THREAD_ID))  # the owner: no exchange
    await discord.message(message_create(CAROL, "same organisation", channel_id=THREAD_ID))  # no exchange
    await discord.message(message_create(BOB, "an answer", channel_id=THREAD_ID))
    (row,) = await exchanges(discord)
    assert (row.organisation_a, row.organisation_b) == ("Nordhavn Municipality", "Vestfjord Hospital")
    assert row.channel_id == str(CHANNEL_ID)


async def test_exchange_logging_can_be_switched_off(discord: Harness):
    await profiles(discord)
    discord.core.settings.exchange_logging = False
    question = message_create(ALICE, "question")
    await discord.message(question)
    await discord.message(message_create(BOB, "answer", referenced=question))
    assert await exchanges(discord) == []


def test_gateway_intents_are_minimal_and_content_only_for_exchange_logging():
    with_logging = gateway_intents(Settings(_env_file=None, exchange_logging=True))
    without = gateway_intents(Settings(_env_file=None, exchange_logging=False))
    assert with_logging.message_content and not without.message_content
    for intents in (with_logging, without):
        assert intents.guilds and intents.guild_messages and intents.dm_messages
        assert not (intents.members or intents.presences or intents.guild_reactions or intents.voice_states)


def test_shards_auto_or_a_number_with_the_ids_this_process_runs():
    assert shard_options(Settings(_env_file=None)) == {}
    assert shard_options(Settings(_env_file=None, discord_shards="4", discord_shard_ids="2,3")) == {
        "shard_count": 4, "shard_ids": [2, 3]}


def test_an_empty_token_means_no_discord_and_shard_ids_need_a_count():
    assert not load_settings(_env_file=None, discord_token="  ").discord_enabled
    assert load_settings(_env_file=None, discord_token="abc.def").discord_enabled
    with pytest.raises(SettingsError, match="LIGHTHOUSE_DISCORD_SHARD_IDS"):
        load_settings(_env_file=None, discord_shard_ids="0")
    with pytest.raises(SettingsError, match="LIGHTHOUSE_DISCORD_SHARD_IDS"):
        load_settings(_env_file=None, discord_shards="2", discord_shard_ids="0,2")


async def test_an_introduction_to_someone_who_never_used_the_bot_names_them_as_discord_does(
    discord: Harness, fake_discord: FakeDiscord
):
    dora = user(1004, "dora")
    text = f"intro <@{dora['id']}> I would love to hear about your school meal pilot"
    await discord.message(message_create(ALICE, text, channel_id=dm_channel_id(1001), in_guild=False, mentions=[dora]))
    (call,) = fake_discord.find("POST", rf"/channels/{dm_channel_id(1001)}/messages")
    shown = str(call.body)
    assert "dora hasn't used Lighthouse yet" in shown and "1004" not in shown
