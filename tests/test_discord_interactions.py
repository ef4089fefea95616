"""Slash commands, buttons and forms, from a Discord payload through discord.py and the core to the HTTP
requests the bot makes, recorded by a local fake Discord API."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from discord import PrivilegedIntentsRequired
from sqlalchemy import func, select

from bot.app.core import Lighthouse
from bot.message import Message
from bot.reply import Attachment, Button, Form, FormField, Reply, Section
from config import SettingsError
from storage.models import DeliveryReceipt, Member, StoredCommand
from tests.discord_fake import EPHEMERAL, FakeDiscord, Harness, click, modal_submit, slash, user
from tests.discord_fixtures import discord, discord_settings, fake_discord  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent
ALICE = user(1001, "alice")
BOB = user(1002, "bob")


def buttons_of(message: dict) -> list[dict]:
    return [c for row in message.get("components", []) for c in row["components"]]


def replace_handle(core: Lighthouse, answers: dict[str, Reply]) -> list[Message]:
    """Let the core answer some texts with fixed replies (shapes no core command makes yet); records what
    it was asked. Everything else goes to the real router."""
    asked: list[Message] = []
    real = core.handle

    async def handle(message: Message) -> Reply:
        asked.append(message)
        if message.text in answers:
            return answers[message.text]
        return await real(message)

    core.handle = handle  # type: ignore[method-assign]
    return asked


async def test_slash_command_answers_with_an_embed(discord: Harness, fake_discord: FakeDiscord):
    await discord.interaction(slash(ALICE, "help"))
    (callback,) = fake_discord.callbacks()
    assert callback.body["type"] == 4  # answered at once, no deferral needed
    data = callback.body["data"]
    assert not data.get("flags", 0) & EPHEMERAL
    (embed,) = data["embeds"]
    assert embed["title"] == "Commands"
    assert "`profile [set <field> <value>]`" in embed["description"]
    assert embed["footer"]["text"].endswith("Type help <command> for details and examples.")  # no Markdown there
    assert "is searched as a question" in embed["footer"]["text"]
    assert data["allowed_mentions"] == {"parse": []}


async def test_options_become_the_command_text_and_private_answers_are_ephemeral(discord: Harness, fake_discord):
    await discord.interaction(slash(ALICE, "profile", {"action": "set", "field": "country", "value": "Denmark"}))
    data = fake_discord.callbacks()[-1].body["data"]
    assert data["flags"] & EPHEMERAL
    assert data["content"] == "Saved: country = Denmark (DK)."
    assert not any(embed.get("fields") for embed in data.get("embeds", []))  # only what changed, no profile
    async with discord.core.db.session() as session:
        (member,) = (await session.execute(select(Member))).scalars().all()
    assert member.country == "DK" and member.display_name == "alice"


async def test_a_member_option_reaches_the_core_as_a_resolvable_mention(discord: Harness):
    asked = replace_handle(discord.core, {})
    await discord.interaction(slash(ALICE, "intro", {"member": str(BOB["id"]), "reason": "school meals"},
                                    resolved_users=[BOB]))
    (message,) = asked
    assert message.text == f"intro <@{BOB['id']}> school meals"
    assert message.mentions[f"<@{BOB['id']}>"].display_name == "bob"
    assert message.author.user_id == ALICE["id"] and message.guild_id is not None


async def test_search_filters_become_flags(discord: Harness):
    asked = replace_handle(discord.core, {})
    await discord.interaction(slash(ALICE, "experts", {"question": "school food", "country": "DK",
                                                       "sector": "municipality", "cross_border": True}))
    assert asked[0].text == "experts school food --sector municipality --country DK --cross-border"


async def test_autocomplete_suggests_countries_themes_and_sectors(discord: Harness, fake_discord: FakeDiscord):
    async def suggestions(subcommand: str, options: dict, focused: str) -> list[dict]:
        before = len(fake_discord.callbacks())
        discord.state.parse_interaction_create(slash(ALICE, subcommand, options, focused=focused))
        await fake_discord.wait_for(lambda: len(fake_discord.callbacks()) > before)
        body = fake_discord.callbacks()[-1].body
        assert body["type"] == 8
        return body["data"]["choices"]

    countries = await suggestions("find", {"question": "x", "country": "den"}, "country")
    assert {"name": "Denmark (DK)", "value": "DK"} in countries
    assert all("den" in c["name"].lower() for c in countries)
    themes = await suggestions("pilots", {"question": "x", "theme": "ment"}, "theme")
    assert themes == [{"name": "Mental health", "value": "mental_health"}]
    sectors = await suggestions("experts", {"question": "x", "sector": ""}, "sector")
    assert len(sectors) == 9
    by_code = await suggestions("find", {"question": "x", "country": "se"}, "country")
    assert by_code[0]["value"] == "SE"  # an exact code comes first


async def test_slow_answers_are_deferred_then_followed_up(core, discord_settings, fake_discord: FakeDiscord):
    gate = asyncio.Event()
    real = core.handle

    async def slow(message: Message) -> Reply:
        await gate.wait()
        return await real(message)

    core.handle = slow
    # Defer as soon as the core has not answered at once: the gate holds it until the test opens it.
    harness = await Harness(core, fake_discord, defer_after=0).start()
    try:
        harness.dispatch_interaction(slash(ALICE, "help"))
        await fake_discord.wait_for(lambda: len(fake_discord.callbacks()) == 1)
        deferral = fake_discord.callbacks()[0].body
        assert deferral["type"] == 5 and deferral["data"]["flags"] & EPHEMERAL  # "thinking…", only for alice
        assert fake_discord.posted() == []
        gate.set()
        await harness.settle()
        # A public answer replaces the private "thinking…" note.
        assert fake_discord.find("DELETE", r"/webhooks/\d+/[^/]+/messages/@original")
        (follow_up,) = fake_discord.find("POST", r"/webhooks/\d+/[^/]+")
        assert follow_up.body["embeds"][0]["title"] == "Commands"
        assert not follow_up.body.get("flags", 0) & EPHEMERAL

        # A private answer fills the deferred note in instead.
        harness.dispatch_interaction(slash(ALICE, "profile"))
        await harness.settle()
        (edit,) = fake_discord.find("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")
        assert edit.body["embeds"][0]["title"] == "Your profile"
    finally:
        await harness.close()


async def test_buttons_work_after_a_restart(core, discord_settings, fake_discord: FakeDiscord, clock):
    # A long answer: the core pages it and stores the rest; the "More" button names the stored page.
    sections = [Section(title=f"Pilot {n}", text=f"What pilot {n} taught") for n in range(1, 13)]
    paged = await core.paginator.paginate(Reply(sections=sections), member_id=None, now=clock.now(), max_sections=5)
    replace_handle(core, {"pilots school meals": paged})
    first = await Harness(core, fake_discord).start()
    await first.interaction(slash(ALICE, "pilots", {"question": "school meals"}))
    await first.close()
    await core.close()
    assert fake_discord.callbacks()[-1].body["type"] == 5  # a search is deferred at once
    page_one = fake_discord.posted()[-1]
    (more,) = buttons_of(page_one)
    assert more["label"] == "More (2/3)" and more["custom_id"].startswith("lh:more ")
    shown = fake_discord.last_message()

    # A new process: new core, new client, same database. Bob presses the button on the old message.
    restarted = Lighthouse(discord_settings, clock=clock)
    await restarted.start()
    second = await Harness(restarted, fake_discord).start()
    try:
        await second.interaction(click(BOB, shown, more["custom_id"]))
        page_two = fake_discord.callbacks()[-1].body["data"]
        assert page_two["content"] == "(page 2 of 3)"
        assert [e["title"] for e in page_two["embeds"]] == [f"Pilot {n}" for n in range(6, 11)]
        token = more["custom_id"].split()[1]  # random; may itself contain " 2"-like text, so compare by parts
        assert buttons_of(page_two)[0]["custom_id"].split() == ["lh:more", token, "3"]
    finally:
        await second.close()
        await restarted.close()


async def test_a_click_is_the_clicking_member_typing_the_command(discord: Harness, fake_discord: FakeDiscord):
    replace_handle(discord.core, {"ask where am I": Reply(text="Where are you?", buttons=[
        Button("Kenya", "profile set country Kenya"), Button("Denmark", "profile set country DK")])})
    await discord.interaction(slash(ALICE, "ask", {"text": "where am I"}))
    message = fake_discord.last_message()
    kenya = buttons_of(message)[0]
    await discord.interaction(click(BOB, message, kenya["custom_id"]))
    assert fake_discord.callbacks()[-1].body["data"]["content"] == "Saved: country = Kenya (KE)."
    async with discord.core.db.session() as session:
        members = {m.display_name: m.country for m in (await session.execute(select(Member))).scalars()}
    assert members == {"bob": "KE"}  # the clicker's profile, not the asker's


async def test_commands_too_long_for_a_custom_id_are_stored_and_still_work(discord: Harness, fake_discord):
    long_command = "profile set bio " + "I work on school meals and health literacy in three regions. " * 2
    assert len(long_command) > 100
    asked = replace_handle(discord.core, {"ask long": Reply(text="Save it?", buttons=[Button("Save", long_command)])})
    await discord.interaction(slash(ALICE, "ask", {"text": "long"}))
    message = fake_discord.last_message()
    (save,) = buttons_of(message)
    assert save["custom_id"].startswith("lh#") and len(save["custom_id"]) <= 100
    await discord.interaction(click(ALICE, message, save["custom_id"]))
    assert asked[-1].text == long_command and asked[-1].from_button
    async with discord.core.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(StoredCommand)) == 1


async def test_an_unknown_stored_button_gets_a_polite_answer(discord: Harness, fake_discord: FakeDiscord):
    await discord.interaction(slash(ALICE, "help"))
    message = fake_discord.last_message()
    message["components"] = [{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "Old", "custom_id": "lh#" + "0" * 32}]}]
    await discord.interaction(click(ALICE, message, "lh#" + "0" * 32))
    data = fake_discord.callbacks()[-1].body["data"]
    assert data["content"] == "That button no longer works. Please ask again." and data["flags"] & EPHEMERAL


async def test_a_repeated_interaction_is_handled_once(discord: Harness, fake_discord: FakeDiscord):
    asked = replace_handle(discord.core, {})
    payload = slash(ALICE, "help")
    await discord.interaction(payload)
    await discord.interaction(payload)  # the same interaction id again (a duplicate delivery)
    assert len(asked) == 1 and len(fake_discord.callbacks()) == 1
    async with discord.core.db.session() as session:
        keys = (await session.execute(select(DeliveryReceipt.key))).scalars().all()
    assert keys == [f"discord:interaction:{payload['id']}"]


async def test_forms_open_as_a_modal_and_the_submission_runs_the_command(discord: Harness, fake_discord):
    form = Form(
        title="New event",
        command="event add",
        fields=[
            FormField("title", "Title", placeholder="Webinar: school meals"),
            FormField("start", "Start", placeholder="2026-12-03 14:00 Europe/Copenhagen"),
            FormField("description", "Description", multiline=True, required=False, max_length=1000),
        ],
    )
    fallback = "Add an event with: event add title='...' start='...'"
    asked = replace_handle(discord.core, {"event add": Reply(text=fallback, form=form)})
    await discord.interaction(slash(ALICE, "event", {"action": "add"}))
    modal = fake_discord.callbacks()[-1].body
    assert modal["type"] == 9
    assert modal["data"]["title"] == "New event" and modal["data"]["custom_id"] == "lhf:event add"
    inputs = [c for row in modal["data"]["components"] for c in _inputs(row)]
    assert [i["custom_id"] for i in inputs] == ["title", "start", "description"]
    assert inputs[2]["style"] == 2 and inputs[2]["required"] is False

    await discord.interaction(modal_submit(ALICE, "lhf:event add", {
        "title": "Webinar: school meals", "start": "2026-12-03 14:00 Europe/Copenhagen", "description": ""}))
    assert asked[-1].text == "event add title='Webinar: school meals' start='2026-12-03 14:00 Europe/Copenhagen'"
    assert asked[-1].author.user_id == ALICE["id"]


def _inputs(component: dict) -> list[dict]:
    if component.get("type") == 4:
        return [component]
    children = component.get("components") or ([component["component"]] if "component" in component else [])
    return [found for child in children for found in _inputs(child)]


async def test_a_form_after_a_deferral_becomes_a_button_that_opens_it(core, discord_settings, fake_discord):
    form = Form(title="New event", command="event add", fields=[FormField("title", "Title")])
    replace_handle(core, {"event add": Reply(text="Add an event with: event add title='...'", form=form)})
    gate = asyncio.Event()
    gated = core.handle

    async def slow(message: Message) -> Reply:
        await gate.wait()
        return await gated(message)

    core.handle = slow
    harness = await Harness(core, fake_discord, defer_after=0).start()
    try:
        harness.dispatch_interaction(slash(ALICE, "event", {"action": "add"}))
        await fake_discord.wait_for(lambda: len(fake_discord.callbacks()) == 1)
        gate.set()
        await harness.settle()
        (answer,) = fake_discord.posted()
        assert answer["content"] == "Add an event with: event add title='...'"
        (button,) = buttons_of(answer)
        assert button["label"] == "Open the form" and button["custom_id"] == "lh:event add"
    finally:
        await harness.close()


async def test_discord_errors_are_reported_to_the_user(discord: Harness, fake_discord: FakeDiscord):
    fake_discord.fail("POST", r"/interactions/\d+/[^/]+/callback", 400, "Invalid Form Body", code=50035)
    await discord.interaction(slash(ALICE, "help"))
    first, second = fake_discord.callbacks()
    assert first.body["type"] == 4 and "embeds" in first.body["data"]
    assert second.body["data"]["content"].startswith("Discord did not accept my answer (HTTP 400")
    assert second.body["data"]["flags"] & EPHEMERAL


async def test_direct_answers_to_a_slash_command_go_to_the_dms(discord: Harness, fake_discord: FakeDiscord):
    export = Reply(text="Your data is attached.", direct=True,
                   attachments=[Attachment("lighthouse-data.json", b'{"profile": {}}', "application/json")])
    replace_handle(discord.core, {"privacy export": export})
    await discord.interaction(slash(ALICE, "privacy", {"action": "export"}))
    (dm,) = fake_discord.find("POST", r"/channels/\d+/messages")
    assert dm.body["content"] == "Your data is attached." and dm.files == ["lighthouse-data.json"]
    note = fake_discord.callbacks()[-1].body["data"]
    assert note["content"] == "I've sent you my answer in a direct message." and note["flags"] & EPHEMERAL


async def test_slash_commands_in_a_dm_are_direct(discord: Harness):
    asked = replace_handle(discord.core, {})
    await discord.interaction(slash(ALICE, "help", in_guild=False))
    assert asked[0].is_direct and asked[0].guild_id is None and asked[0].channel_id.isdigit()


async def test_a_form_too_big_for_a_modal_shows_its_one_line_syntax(discord: Harness, fake_discord: FakeDiscord):
    form = Form(title="Long", command="event add", fields=[FormField(f"f{n}", f"Field {n}") for n in range(7)])
    replace_handle(discord.core, {"event add": Reply(text="Use: event add f0=... f6=...", form=form)})
    await discord.interaction(slash(ALICE, "event", {"action": "add"}))
    answer = fake_discord.callbacks()[-1].body
    assert answer["type"] == 4 and answer["data"]["content"] == "Use: event add f0=... f6=..."
    assert not answer["data"].get("components")


async def test_a_failure_inside_the_adapter_is_told_with_an_error_id(discord: Harness, fake_discord, monkeypatch):
    def broken(reply: Reply) -> list:
        raise ValueError("rendering bug")

    monkeypatch.setattr("adapters.discord.answering.render", broken)
    await discord.interaction(slash(ALICE, "help"))
    data = fake_discord.callbacks()[-1].body["data"]
    assert data["content"].startswith("Something went wrong on my side (error id ") and data["flags"] & EPHEMERAL


async def test_old_interaction_receipts_are_purged_at_start(core, discord_settings, fake_discord, clock):
    from datetime import timedelta

    async with core.db.session() as session, session.begin():
        session.add(DeliveryReceipt(key="discord:interaction:1", seen_at=clock.now() - timedelta(days=8)))
        session.add(DeliveryReceipt(key="discord:interaction:2", seen_at=clock.now() - timedelta(days=1)))
        session.add(DeliveryReceipt(key="slack:event:3", seen_at=clock.now() - timedelta(days=30)))
    harness = await Harness(core, fake_discord).start()
    await harness.close()
    async with core.db.session() as session:
        keys = set((await session.execute(select(DeliveryReceipt.key))).scalars())
    assert keys == {"discord:interaction:2", "slack:event:3"}


async def test_a_refused_token_stops_with_the_setting_to_fix(core, discord_settings, fake_discord):
    from adapters.discord import DiscordAdapter

    fake_discord.fail("GET", "/users/@me", 401, "401: Unauthorized", code=0)
    with pytest.raises(SettingsError, match="LIGHTHOUSE_DISCORD_TOKEN: Discord refused the token"):
        await DiscordAdapter(core).run()


async def test_a_refused_privileged_intent_stops_with_the_setting_to_fix(core, discord_settings, monkeypatch):
    from adapters.discord import DiscordAdapter

    adapter = DiscordAdapter(core)

    async def refused(*args: object, **kwargs: object) -> None:  # discord.py's answer to a gateway close 4014
        raise PrivilegedIntentsRequired(None)

    monkeypatch.setattr(adapter.client, "connect", refused)
    with pytest.raises(SettingsError, match="LIGHTHOUSE_EXCHANGE_LOGGING: Discord refused the Message Content"):
        await adapter.run()


async def test_main_exits_non_zero_with_one_line_when_discord_refuses_the_token(tmp_path, fake_discord):
    fake_discord.fail("GET", "/users/@me", 401, "401: Unauthorized", code=0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTHOUSE_")}
    env.update(
        LIGHTHOUSE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        LIGHTHOUSE_INGEST_DEMO_ON_EMPTY="false",
        LIGHTHOUSE_DISCORD_TOKEN="test-token",
        LIGHTHOUSE_DISCORD_API_URL=fake_discord.url,
        LIGHTHOUSE_EMBEDDING_MODEL=str(tmp_path / "no-model-here"),  # the model load fails fast in the background
        COLUMNS="200",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 2, err.decode()
    problems = [line for line in err.decode().splitlines() if "Configuration error" in line]
    assert len(problems) == 1 and "LIGHTHOUSE_DISCORD_TOKEN" in problems[0]
    assert "Traceback" not in err.decode()


async def test_a_command_discord_still_offers_after_an_upgrade_gets_an_answer(discord: Harness, fake_discord: FakeDiscord):
    stale = slash(ALICE, "help")
    stale["data"]["options"] = [{"name": "nosuch", "type": 1, "options": []}]
    discord.state.parse_interaction_create(stale)  # discord.py answers it before any Lighthouse handler runs
    for _ in range(200):
        if fake_discord.callbacks():
            break
        await asyncio.sleep(0.01)
    (callback,) = fake_discord.callbacks()
    assert callback.body["data"]["flags"] & EPHEMERAL and "out of date" in callback.body["data"]["content"]
