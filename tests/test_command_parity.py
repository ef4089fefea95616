"""Every platform offers the commands and subcommands the core declares, with the same defaults.

Slack and the console pass the typed text to the core, so they offer whatever the registry declares; the
Discord tree is generated from the registry, and these tests fail if it offers a different set. The router
part checks that every declared subcommand (and alias) is reached by typing it.
"""

from __future__ import annotations

import dataclasses
import re

import discord
import pytest
from discord import app_commands

from adapters.discord.slash import GROUP_NAME, SHORTCUTS, command_tree
from bot import commands
from bot.app.catalogue import full_catalogue
from bot.members.profile import FIELDS as PROFILE_FIELDS
from bot.message import Message
from bot.reply import Reply
from tests.discord_fake import FakeDiscord, Harness, slash, user
from tests.discord_fixtures import discord as discord_harness  # noqa: F401 - fixtures
from tests.discord_fixtures import discord_settings, fake_discord  # noqa: F401 - fixtures
from tests.support import Chat, with_commands

ALICE = user(1001, "alice")
STRING, SUBCOMMAND = 3, 1
NAME = re.compile(r"^[-_a-z0-9]{1,32}$")  # Discord's rule for command and option names, lower case


def offered() -> dict[str, commands.Command]:
    return {name: c for name, c in full_catalogue().commands.by_name().items() if not c.hidden}


def with_subcommands() -> list[commands.Command]:
    return [c for c in offered().values() if c.subcommands]


def discord_payload() -> dict[str, dict]:
    """The `/lighthouse` group as `discord sync` sends it to Discord: its subcommands by name."""
    client = discord.Client(intents=discord.Intents.none())
    tree = command_tree(client, None)
    group = tree.get_command(GROUP_NAME)
    assert isinstance(group, app_commands.Group)
    payload = group.to_dict(tree)
    return {option["name"]: option for option in payload["options"]}


def test_discord_offers_exactly_the_core_commands():
    tree = discord_payload()
    assert set(tree) - set(SHORTCUTS) == set(offered())
    for shortcut, target in SHORTCUTS.items():
        assert shortcut in tree and full_catalogue().commands.lookup(shortcut) is offered()[target]  # an alias of that command


@pytest.mark.parametrize("declared", with_subcommands(), ids=lambda c: c.name)
def test_discord_actions_are_the_declared_subcommands_with_the_core_default(declared: commands.Command):
    options = {option["name"]: option for option in discord_payload()[declared.name].get("options", [])}
    action = options["action"]
    assert action["type"] == STRING
    assert [choice["value"] for choice in action["choices"]] == [sub.name for sub in declared.subcommands]
    # No default of Discord's own: left out, the command is sent alone and the core's default runs.
    assert not action.get("required", False)
    assert declared.default is not None and f"default: {declared.default}" in action["description"]


@pytest.mark.parametrize("declared", [c for c in offered().values() if c.arguments], ids=lambda c: c.name)
def test_discord_options_are_the_declared_arguments(declared: commands.Command):
    options = discord_payload()[declared.name].get("options", [])
    assert [option["name"] for option in options] == [argument.name for argument in declared.arguments]
    for option, argument in zip(options, declared.arguments, strict=True):
        assert [choice["value"] for choice in option.get("choices", [])] == list(argument.choices)
        assert not option.get("required", False)
        if argument.default is not None:
            assert f"default: {argument.default}" in option["description"]


def test_discord_profile_fields_are_the_profiles_fields():
    options = {option["name"]: option for option in discord_payload()["profile"]["options"]}
    assert [choice["value"] for choice in options["field"]["choices"]] == list(PROFILE_FIELDS)


def test_every_command_with_subcommands_declares_a_default_the_core_runs():
    assert {c.name for c in with_subcommands()} >= {"event", "digest", "intro", "profile", "role", "privacy"}
    assert offered()["digest"].default == "status" and offered()["event"].default == "list"
    assert {c.name for c in offered().values() if c.arguments} >= {"kpi", "audit"}


def test_the_discord_tree_keeps_to_discords_limits():
    tree = discord_payload()
    assert len(tree) <= 25
    for name, sub in tree.items():
        assert sub["type"] == SUBCOMMAND and NAME.match(name), name
        assert 1 <= len(sub["description"]) <= 100, name
        options = sub.get("options", [])
        assert len(options) <= 25
        seen_optional = False
        for option in options:
            assert NAME.match(option["name"]) and 1 <= len(option["description"]) <= 100, (name, option)
            assert len(option.get("choices", [])) <= 25
            assert all(1 <= len(choice["name"]) <= 100 for choice in option.get("choices", []))
            assert not (seen_optional and option.get("required")), f"{name}: required options come first"
            seen_optional = seen_optional or not option.get("required")


def spying(declared: commands.Command, ran: list[tuple[str, list[str]]]) -> commands.Command:
    """The command with each subcommand's handler (and its fallback) replaced by a recorder."""

    def spy(name: str):
        async def record(ctx, words):  # noqa: ANN001, ANN202
            ran.append((name, words))
            return Reply(text=f"ran {name}")

        return record

    async def otherwise(ctx):  # noqa: ANN001, ANN202
        ran.append(("otherwise", ctx.args))
        return Reply(text="ran otherwise")

    subcommands = tuple(dataclasses.replace(sub, handler=spy(sub.name)) for sub in declared.subcommands)
    return dataclasses.replace(
        declared, handler=None, subcommands=subcommands, otherwise=otherwise if declared.otherwise else None
    )


@pytest.mark.parametrize("declared", with_subcommands(), ids=lambda c: c.name)
async def test_every_declared_subcommand_is_reached_through_the_router(core_with, declared):
    ran: list[tuple[str, list[str]]] = []
    chat = Chat(await core_with(with_commands(spying(declared, ran))))
    for sub in declared.subcommands:
        for word in (sub.name, *sub.aliases):
            for typed_name in (declared.name, *declared.aliases):
                reply = await chat.say(f"{typed_name} {word.upper()} 12 more words", as_user="admin")
                assert reply.text == f"ran {sub.name}", (typed_name, word, reply.text)
                assert ran.pop() == (sub.name, ["12", "more", "words"])
    bare = await chat.say(declared.name, as_user="admin")
    assert bare.text == f"ran {declared.default}" and ran.pop() == (declared.default, [])
    unknown = await chat.say(f"{declared.name} frobnicate", as_user="admin")
    if declared.otherwise is not None:
        assert unknown.text == "ran otherwise"
    else:
        assert unknown.tone == "error" and "not something I can do" in unknown.text
        assert all(f"`{sub.usage(declared.name)}`" in unknown.text for sub in declared.subcommands)
        assert not ran


async def test_every_discord_action_sends_the_subcommand_to_the_core(core, discord_harness: Harness):  # noqa: F811
    asked: list[str] = []

    async def handle(message: Message) -> Reply:
        asked.append(message.text)
        return Reply(text="ok", private=True)

    core.handle = handle  # type: ignore[method-assign]
    for declared in with_subcommands():
        for sub in declared.subcommands:
            await discord_harness.interaction(slash(ALICE, declared.name, {"action": sub.name}))
            assert asked.pop() == f"{declared.name} {sub.name}"
        await discord_harness.interaction(slash(ALICE, declared.name))
        assert asked.pop() == declared.name  # alone, as typed on Slack or in the console: the core's default
    for declared in (c for c in offered().values() if c.arguments):
        for argument in declared.arguments:
            for choice in argument.choices:
                await discord_harness.interaction(slash(ALICE, declared.name, {argument.name: choice}))
                assert asked.pop() == f"{declared.name} {choice}"
        await discord_harness.interaction(slash(ALICE, declared.name))
        assert asked.pop() == declared.name
    await discord_harness.interaction(slash(ALICE, "audit", {"number": 50}))
    assert asked.pop() == "audit 50"


async def test_a_bare_digest_does_the_same_on_discord_and_in_the_console(
    core, chat: Chat, discord_settings, discord_harness: Harness, fake_discord: FakeDiscord  # noqa: F811
):
    discord_settings.admins = [*discord_settings.admins, f"discord:{ALICE['id']}"]
    asked: list[str] = []
    real = core.handle

    async def handle(message: Message) -> Reply:
        asked.append(message.text)
        return await real(message)

    core.handle = handle  # type: ignore[method-assign]
    console = await chat.say("digest", as_user="admin")
    await discord_harness.interaction(slash(ALICE, "digest"))
    assert asked == ["digest", "digest"]  # the same text reaches the core from both
    on_discord = fake_discord.callbacks()[-1].body["data"]["content"]
    assert console.tone != "error" and "This channel has no digest schedule" in console.text
    assert "This channel has no digest schedule" in on_discord
    assert "Preview" not in on_discord
