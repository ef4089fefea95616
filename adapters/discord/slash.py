"""The `/lighthouse` application command group, generated from the core's command registry.

One Discord subcommand per command the core offers (plus `ask`, the core's alias of `find` for a question in
plain words). A command with subcommands gets an `action` option whose choices are the subcommands the core
declares, and no default of its own: left out, the core's default runs, as when the command is typed alone.
A few commands get tailored options (a member picker, filters with autocomplete for themes, sectors and
countries); every other command gets a generic form built from its declaration. Each Discord subcommand only
builds the text a member would type (`pilots school meals --theme obesity`) and hands it to the adapter,
which sends it through the core like any other message: the core stays the one place that knows what a
command means.
"""

from __future__ import annotations

import inspect
import shlex
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Protocol

import discord
import pycountry
from discord import app_commands

from adapters.discord.identity import mention_tokens
from bot import commands as core_commands
from bot.app.catalogue import full_catalogue
from bot.members.profile import FIELDS as PROFILE_FIELDS
from bot.members.roles import GRANTABLE_ROLES
from bot.message import Author
from config.vocabulary import SECTORS, THEMES

MAX_CHOICES = 25  # Discord shows at most 25 suggestions (and takes at most 25 fixed choices)
CHOICE_NAME_LIMIT = 100
DESCRIPTION_LIMIT = 100
GROUP_NAME = "lighthouse"
# Discord subcommands for a core alias, offered under its own name: the alias and the command it names.
SHORTCUTS = {"ask": "find"}


class CommandRunner(Protocol):
    async def on_slash_command(
        self, interaction: discord.Interaction, text: str, mentions: dict[str, Author] | None = None
    ) -> None: ...


def command_text(*parts: str | None) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def flag(name: str, value: str | None) -> str | None:
    """`--name value` (quoted when it has spaces), the form the core's search commands read."""
    return f"--{name} {shlex.quote(value.strip())}" if value and value.strip() else None


def _matches(current: str, *candidates: str) -> bool:
    needle = current.strip().lower()
    return not needle or any(needle in candidate.lower() for candidate in candidates)


def _choice(name: str, value: str) -> app_commands.Choice[str]:
    return app_commands.Choice(name=name[:CHOICE_NAME_LIMIT], value=value[:CHOICE_NAME_LIMIT])


def theme_suggestions(current: str) -> list[app_commands.Choice[str]]:
    return [_choice(label, slug) for slug, label in THEMES.items() if _matches(current, slug, label)][:MAX_CHOICES]


def sector_suggestions(current: str) -> list[app_commands.Choice[str]]:
    return [_choice(label, slug) for slug, label in SECTORS.items() if _matches(current, slug, label)][:MAX_CHOICES]


def country_suggestions(current: str) -> list[app_commands.Choice[str]]:
    needle = current.strip().lower()
    exact, partial = [], []
    for country in pycountry.countries:
        codes = (country.alpha_2, country.alpha_3)
        names = (country.name, getattr(country, "common_name", country.name))
        if needle and needle in (code.lower() for code in codes):
            exact.append(country)
        elif _matches(current, *codes, *names):
            partial.append(country)
    ordered = exact + sorted(partial, key=lambda c: (not c.name.lower().startswith(needle), c.name))
    return [_choice(f"{c.name} ({c.alpha_2})", c.alpha_2) for c in ordered[:MAX_CHOICES]]


@cache
def declared_commands() -> core_commands.CommandRegistry:
    """The commands of every feature (the tree synced to Discord offers what a full core offers)."""
    return full_catalogue().commands


def offered_commands() -> list[core_commands.Command]:
    """The core's commands that a member may see, each a `/lighthouse` subcommand."""
    return [c for c in declared_commands().by_name().values() if not c.hidden]


def command_suggestions(current: str) -> list[app_commands.Choice[str]]:
    visible = sorted(offered_commands(), key=lambda c: c.name)
    return [_choice(f"{c.name} — {c.summary}", c.name) for c in visible if _matches(current, c.name)][:MAX_CHOICES]


def _fit(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _declared(name: str) -> core_commands.Command:
    found = declared_commands().by_name().get(name)
    if found is None:
        raise LookupError(f"the core declares no command {name!r}")
    return found


def action_choices(name: str) -> list[app_commands.Choice[str]]:
    """The core command's subcommands, as the fixed choices of its `action` option."""
    subcommands = _declared(name).subcommands
    if len(subcommands) > MAX_CHOICES:
        raise ValueError(f"{name!r} declares {len(subcommands)} subcommands; Discord takes {MAX_CHOICES} choices")
    return [_choice(_fit(f"{sub.name} — {sub.summary}", CHOICE_NAME_LIMIT), sub.name) for sub in subcommands]


def action_description(name: str) -> str:
    declared = _declared(name)
    default = f" (default: {declared.default})" if declared.default else ""
    return _fit(f"What to do{default}")


def details_description(name: str) -> str:
    """What may follow the action, from the subcommands' declared syntax."""
    declared = _declared(name)
    syntax = [f"{sub.name} {sub.syntax}" for sub in declared.subcommands if sub.syntax]
    if not syntax:
        return _fit(f"What follows the command, as in `{declared.usage}`")
    return _fit("What follows the action: " + "; ".join(syntax))


async def theme_autocomplete(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return theme_suggestions(current)


async def sector_autocomplete(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return sector_suggestions(current)


async def country_autocomplete(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return country_suggestions(current)


async def command_autocomplete(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return command_suggestions(current)


async def profile_value_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    field = getattr(interaction.namespace, "field", None)
    if field == "sector":
        return sector_suggestions(current)
    if field == "country":
        return country_suggestions(current)
    return []


class LighthouseCommands(app_commands.Group):
    """`/lighthouse <subcommand>`: every subcommand is a shortcut for a command typed to the bot."""

    def __init__(self, runner: CommandRunner | None) -> None:
        super().__init__(name=GROUP_NAME, description="Find pilots and experts, meet partners, join events")
        self.runner = runner
        self._add_generated()

    async def _run(
        self, interaction: discord.Interaction, text: str, mentions: dict[str, Author] | None = None
    ) -> None:
        if self.runner is not None:
            await self.runner.on_slash_command(interaction, text, mentions)

    @app_commands.command(name="help", description="What I can do, or how one command works")
    @app_commands.describe(command="A command to explain")
    @app_commands.autocomplete(command=command_autocomplete)
    async def help_(self, interaction: discord.Interaction, command: str | None = None) -> None:
        await self._run(interaction, command_text("help", command))

    @app_commands.command(name="ask", description="A question in plain words: I search pilots, experts, reports, tools")
    @app_commands.describe(text="Your question, e.g. how did other towns reduce childhood obesity in schools?")
    async def ask(self, interaction: discord.Interaction, text: str) -> None:
        await self._run(interaction, command_text("ask", text))

    @app_commands.command(name="profile", description=_fit(_declared("profile").summary))
    @app_commands.describe(action=action_description("profile"), field="Which field", value="The new value")
    @app_commands.choices(action=action_choices("profile"), field=[_choice(name, name) for name in PROFILE_FIELDS])
    @app_commands.autocomplete(value=profile_value_autocomplete)
    async def profile(
        self,
        interaction: discord.Interaction,
        action: str | None = None,
        field: str | None = None,
        value: str | None = None,
    ) -> None:
        await self._run(interaction, command_text("profile", action, field, value if action == "set" else None))

    @app_commands.command(name="find", description="Search pilots, reports and experts in plain language")
    @app_commands.describe(question="What you are looking for", theme="Only this theme", country="Only this country",
                           sector="Only this sector")
    @app_commands.autocomplete(theme=theme_autocomplete, country=country_autocomplete, sector=sector_autocomplete)
    async def find(
        self,
        interaction: discord.Interaction,
        question: str,
        theme: str | None = None,
        country: str | None = None,
        sector: str | None = None,
    ) -> None:
        text = command_text("find", question, flag("theme", theme), flag("country", country), flag("sector", sector))
        await self._run(interaction, text)

    @app_commands.command(name="pilots", description="Pilot projects and what they taught")
    @app_commands.describe(question="What the pilot was about", theme="Only this theme", country="Only this country")
    @app_commands.autocomplete(theme=theme_autocomplete, country=country_autocomplete)
    async def pilots(
        self, interaction: discord.Interaction, question: str, theme: str | None = None, country: str | None = None
    ) -> None:
        await self._run(interaction, command_text("pilots", question, flag("theme", theme), flag("country", country)))

    @app_commands.command(name="experts", description="People who know about a topic")
    @app_commands.describe(question="The topic", sector="Only this sector", country="Only this country",
                           cross_border="Prefer people in other countries than yours")
    @app_commands.autocomplete(sector=sector_autocomplete, country=country_autocomplete)
    async def experts(
        self,
        interaction: discord.Interaction,
        question: str,
        sector: str | None = None,
        country: str | None = None,
        cross_border: bool = False,
    ) -> None:
        cross = "--cross-border" if cross_border else None
        text = command_text("experts", question, flag("sector", sector), flag("country", country), cross)
        await self._run(interaction, text)

    @app_commands.command(name="match", description="People and pilots that fit your profile's interests")
    async def match(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, "match me")

    @app_commands.command(name="intro", description=_fit(_declared("intro").summary))
    @app_commands.describe(
        member="Who you would like to meet",
        reason="Why: they see this before they accept",
        action=_fit(action_description("intro").removesuffix(")") + "; with a member: ask to meet them)"),
        details=details_description("intro"),
    )
    @app_commands.choices(action=action_choices("intro"))
    async def intro(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        reason: str | None = None,
        action: str | None = None,
        details: str | None = None,
    ) -> None:
        if action is None and member is not None:
            token = f"<@{member.id}>"
            await self._run(interaction, command_text("intro", token, reason), mention_tokens([member], skip=None))
        else:
            await self._run(interaction, command_text("intro", action, details))

    @app_commands.command(name="role", description=_fit(_declared("role").summary))
    @app_commands.describe(action=action_description("role"), member="The member", role="The role")
    @app_commands.choices(action=action_choices("role"), role=[_choice(name, name) for name in GRANTABLE_ROLES])
    async def role(
        self,
        interaction: discord.Interaction,
        action: str | None = None,
        member: discord.User | None = None,
        role: str | None = None,
    ) -> None:
        token = f"<@{member.id}>" if member is not None else None
        mentions = mention_tokens([member], skip=None) if member is not None else None
        await self._run(interaction, command_text("role", action, token, role), mentions)

    def _add_generated(self) -> None:
        """Every offered core command without a tailored form above gets one built from its declaration."""
        tailored = {command.name for command in self.commands}
        for declared in offered_commands():
            if declared.name not in tailored:
                self.add_command(self._generated(declared))

    def _generated(self, declared: core_commands.Command) -> app_commands.Command:
        name = declared.name

        if declared.subcommands:

            async def with_action(
                interaction: discord.Interaction, action: str | None = None, details: str | None = None
            ) -> None:
                await self._run(interaction, command_text(name, action, details))

            callback = app_commands.choices(action=action_choices(name))(with_action)
            callback = app_commands.describe(action=action_description(name), details=details_description(name))(
                callback
            )
        else:
            callback = self._with_arguments(declared)
        return app_commands.Command(name=name, description=_fit(declared.summary), callback=callback, parent=self)


    def _with_arguments(self, declared: core_commands.Command) -> Callable[..., Awaitable[None]]:
        """A callback whose options are the command's declared arguments (or one free-text `details`)."""
        name = declared.name
        arguments = declared.arguments or (
            core_commands.Argument("details", f"What follows the command, as in `{declared.usage}`"),
        )

        async def with_arguments(interaction: discord.Interaction, **values: str | int | None) -> None:
            typed = [None if values.get(a.name) is None else str(values[a.name]) for a in arguments]
            await self._run(interaction, command_text(name, *typed))

        # discord.py reads the options from the signature: one optional option per argument, in order.
        with_arguments.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction)]
            + [
                inspect.Parameter(
                    argument.name,
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=(int if argument.whole_number else str) | None,
                    default=None,
                )
                for argument in arguments
            ]
        )
        callback = app_commands.describe(**{a.name: _fit(a.described()) for a in arguments})(with_arguments)
        choices = {a.name: [_choice(c, c) for c in a.choices] for a in arguments if a.choices}
        return app_commands.choices(**choices)(callback) if choices else callback


# Discord keeps the commands it was last given until `python main.py discord sync` runs again: after an
# upgrade, a member may still pick one this version no longer has, or one whose options changed.
STALE_COMMAND = (
    "That command is out of date on this server (Lighthouse was updated since Discord last loaded its "
    "commands). Type `/lighthouse` again and pick from the list, or mention me with `help`."
)


class LighthouseTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """A command Discord still offers but this version does not know gets an answer, not Discord's
        "The application did not respond"; anything else is logged as discord.py does."""
        stale = isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch)
        if stale and not interaction.response.is_done():
            await interaction.response.send_message(STALE_COMMAND, ephemeral=True)
            return
        await super().on_error(interaction, error)


def command_tree(client: discord.Client, runner: CommandRunner | None) -> app_commands.CommandTree:
    tree = LighthouseTree(client)
    tree.add_command(LighthouseCommands(runner))
    return tree

