"""What the bot sends unasked on Discord (DMs, channel posts, introductions), and `main.py discord sync`."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.members.service import resolve_member
from bot.message import Author
from bot.reply import Button, Reply, Section
from tests.discord_fake import (
    APP_ID,
    CHANNEL_ID,
    INTRO_CHANNEL_ID,
    THREAD_ID,
    FakeDiscord,
    Harness,
    dm_channel_id,
)
from tests.discord_fixtures import discord, discord_settings, fake_discord  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent
ANNA, BEN = "1001", "1002"
INTRO = Reply(
    text="Anna, meet Ben: you both work on school meals.",
    sections=[Section(title="Introduction: Anna and Ben", text="Anna (Nordhavn) and Ben (Vestfjord)")],
    buttons=[Button("We met", "intro met 7")],
)


async def test_a_direct_message_opens_the_dm_channel_and_posts(discord: Harness, fake_discord: FakeDiscord):
    reference = await discord.adapter.transport.send_direct(ANNA, Reply(text="Reminder: webinar @here at 14:00"))
    (opened,) = fake_discord.find("POST", "/users/@me/channels")
    assert opened.body == {"recipient_id": int(ANNA)}
    (posted,) = fake_discord.find("POST", rf"/channels/{dm_channel_id(int(ANNA))}/messages")
    assert posted.body["content"] == "Reminder: webinar @\u200bhere at 14:00"
    assert posted.body["allowed_mentions"] == {"parse": []}
    assert reference == fake_discord.last_message()["id"]


async def test_a_member_who_cannot_be_reached_is_logged_not_raised(discord: Harness, fake_discord: FakeDiscord):
    fake_discord.fail("POST", rf"/channels/{dm_channel_id(int(ANNA))}/messages", 403, "Cannot send messages",
                      code=50007)
    assert await discord.adapter.transport.send_direct(ANNA, Reply(text="hello")) is None


async def test_core_notifications_reach_discord_members(discord: Harness, fake_discord: FakeDiscord):
    async with discord.core.db.session() as session, session.begin():
        member = await resolve_member(session, Author("discord", ANNA, "anna"))
    assert await discord.core.notify(member, Reply(text="Ben accepted your introduction."))
    assert fake_discord.posted()[-1]["content"] == "Ben accepted your introduction."


async def test_a_notification_discord_refuses_is_not_reported_as_delivered(discord: Harness, fake_discord):
    """Closed direct messages: an introduction request must not say "I've asked them", a reminder must not
    count as sent."""
    async with discord.core.db.session() as session, session.begin():
        member = await resolve_member(session, Author("discord", ANNA, "anna"))
    fake_discord.fail("POST", rf"/channels/{dm_channel_id(int(ANNA))}/messages", 403, "Cannot send messages",
                      code=50007)
    assert await discord.core.notify(member, Reply(text="Ben would like to be introduced to you.")) is False
    assert await discord.core.tell(member, Reply(text="Ben accepted your introduction.")) is True  # DMs open again


async def test_channel_posts_go_to_the_thread_when_there_is_one(discord: Harness, fake_discord: FakeDiscord):
    await discord.adapter.transport.send_channel(str(CHANNEL_ID), Reply(text="Digest"), thread_id=str(THREAD_ID))
    await discord.adapter.transport.send_channel(str(CHANNEL_ID), Reply(text="Digest"))
    assert [c.path for c in fake_discord.find("POST", r"/channels/\d+/messages")] == [
        f"/channels/{THREAD_ID}/messages", f"/channels/{CHANNEL_ID}/messages"]


async def test_a_group_conversation_is_a_private_thread_with_both_members(discord: Harness, fake_discord):
    thread_id = await discord.adapter.transport.send_group([ANNA, BEN], INTRO)
    (created,) = fake_discord.find("POST", rf"/channels/{INTRO_CHANNEL_ID}/threads")
    assert created.body["type"] == 12 and created.body["invitable"] is False
    assert created.body["name"] == "Introduction: Anna and Ben"
    added = [c.path for c in fake_discord.find("PUT", r"/channels/\d+/thread-members/\d+")]
    assert added == [f"/channels/{thread_id}/thread-members/{ANNA}", f"/channels/{thread_id}/thread-members/{BEN}"]
    (posted,) = fake_discord.find("POST", rf"/channels/{thread_id}/messages")
    assert posted.body["embeds"][0]["title"] == "Introduction: Anna and Ben"
    assert posted.body["components"][0]["components"][0]["custom_id"] == "lh:intro met 7"


async def test_the_intro_channel_is_fetched_when_not_cached(core, discord_settings, fake_discord: FakeDiscord):
    harness = await Harness(core, fake_discord).start(with_guild=False)
    try:
        await harness.adapter.transport.send_group([ANNA, BEN], INTRO)
        assert fake_discord.find("GET", rf"/channels/{INTRO_CHANNEL_ID}")
        assert fake_discord.find("POST", rf"/channels/{INTRO_CHANNEL_ID}/threads")
    finally:
        await harness.close()


async def test_without_a_thread_everyone_gets_a_dm(discord: Harness, fake_discord: FakeDiscord):
    fake_discord.fail("POST", rf"/channels/{INTRO_CHANNEL_ID}/threads", 403, "Missing Permissions", code=50013)
    await discord.adapter.transport.send_group([ANNA, BEN], INTRO)
    discord.adapter.transport.group_channel_id = None  # and with no channel configured at all
    await discord.adapter.transport.send_group([ANNA, BEN], INTRO)
    paths = [c.path for c in fake_discord.find("POST", r"/channels/\d+/messages")]
    expected = [f"/channels/{dm_channel_id(int(ANNA))}/messages", f"/channels/{dm_channel_id(int(BEN))}/messages"]
    assert paths == expected * 2


async def run_main(
    fake: FakeDiscord, tmp_path: Path, *args: str, token: str | None = "test-token"
) -> tuple[int, str, str]:
    """`python main.py ...` as a child process, while this test's event loop keeps the fake API answering."""
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'sync.db'}",
           "LIGHTHOUSE_DISCORD_API_URL": fake.url}
    env.pop("LIGHTHOUSE_DISCORD_TOKEN", None)
    if token:
        env["LIGHTHOUSE_DISCORD_TOKEN"] = token
    process = await asyncio.create_subprocess_exec(
        sys.executable, "main.py", *args, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_sync_registers_the_command_group_in_one_server_or_globally(tmp_path, fake_discord: FakeDiscord):
    code, out, err = await run_main(fake_discord, tmp_path, "discord", "sync", "--guild", "4242")
    assert code == 0, err
    (call,) = fake_discord.find("PUT", rf"/applications/{APP_ID}/guilds/4242/commands")
    (group,) = call.body
    assert group["name"] == "lighthouse"
    subcommands = {option["name"]: option for option in group["options"]}
    assert set(subcommands) == {"help", "ask", "profile", "find", "pilots", "experts", "match", "intro", "event",
                                "digest", "kpi", "privacy", "audit", "role", "community"}
    find_options = {o["name"]: o for o in subcommands["find"]["options"]}
    assert find_options["question"]["required"] and find_options["country"]["autocomplete"]
    assert {o["name"]: o["type"] for o in subcommands["intro"]["options"]}["member"] == 6  # a user picker
    assert "Registered 15 commands in server 4242" in out and "/lighthouse find" in out

    code, out, _ = await run_main(fake_discord, tmp_path, "discord", "sync")
    assert code == 0 and fake_discord.find("PUT", rf"/applications/{APP_ID}/commands")
    assert "all servers" in out


async def test_sync_without_a_token_or_with_a_bad_one_says_so(tmp_path, fake_discord: FakeDiscord):
    code, _, err = await run_main(fake_discord, tmp_path, "discord", "sync", token=None)
    assert code == 2 and "LIGHTHOUSE_DISCORD_TOKEN" in err
    fake_discord.fail("GET", "/users/@me", 401, "401: Unauthorized", code=0)
    code, _, err = await run_main(fake_discord, tmp_path, "discord", "sync")
    assert code == 1 and "Sync failed: LoginFailure" in err and "Traceback" not in err
