"""The `/lighthouse` application command group.

One subcommand per core command, with typed options and autocomplete for themes, sectors and countries.
Each subcommand only builds the text a member would type (`pilots school meals --theme obesity`) and hands
it to the adapter, which sends it through the core like any other message: the core stays the one place
that knows what a command means. `/lighthouse ask` is the core's `ask`: a question in plain words, searched.
"""

from __future__ import annotations

import shlex
from typing import Literal, Protocol

import discord
import pycountry
from discord import app_commands

from adapters.discord.identity import mention_tokens
from bot import commands as core_commands
from bot.message import Author
from config.vocabulary import SECTORS, THEMES

MAX_CHOICES = 25  # Discord shows at most 25 suggestions
CHOICE_NAME_LIMIT = 100
GROUP_NAME = "lighthouse"


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


def command_suggestions(current: str) -> list[app_commands.Choice[str]]:
    visible = [c for c in core_commands.all_commands() if not c.hidden]
    return [_choice(f"{c.name} — {c.summary}", c.name) for c in visible if _matches(current, c.name)][:MAX_CHOICES]


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


ProfileField = Literal["name", "organisation", "sector", "country", "timezone", "expertise", "interests", "bio"]


class LighthouseCommands(app_commands.Group):
    """`/lighthouse <subcommand>`: every subcommand is a shortcut for a command typed to the bot."""

    def __init__(self, runner: CommandRunner | None) -> None:
        super().__init__(name=GROUP_NAME, description="Find pilots and experts, meet partners, join events")
        self.runner = runner

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

    @app_commands.command(name="profile", description="Show or change your profile")
    @app_commands.describe(
        action="show (default), set a field, or clear one", field="Which field", value="The new value"
    )
    @app_commands.autocomplete(value=profile_value_autocomplete)
    async def profile(
        self,
        interaction: discord.Interaction,
        action: Literal["show", "set", "clear"] = "show",
        field: ProfileField | None = None,
        value: str | None = None,
    ) -> None:
        if action == "show":
            await self._run(interaction, "profile")
        else:
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

    @app_commands.command(name="intro", description="Ask for an introduction to a member")
    @app_commands.describe(member="Who you would like to meet", reason="Why: they see this before they accept")
    async def intro(self, interaction: discord.Interaction, member: discord.User, reason: str) -> None:
        token = f"<@{member.id}>"
        await self._run(interaction, command_text("intro", token, reason), mention_tokens([member], skip=None))

    @app_commands.command(name="event", description="Events: list, show, RSVP, add (coordinators)")
    @app_commands.describe(action="What to do (default: list)", details="The event id, or the details to add or change")
    async def event(
        self,
        interaction: discord.Interaction,
        action: Literal["list", "show", "rsvp", "ics", "add", "edit", "cancel"] = "list",
        details: str | None = None,
    ) -> None:
        await self._run(interaction, command_text("event", action, details))

    @app_commands.command(name="digest", description="Channel digests: preview, post now, schedule (coordinators)")
    @app_commands.describe(action="What to do", details="For schedule: when, e.g. weekly monday 09:00")
    async def digest(
        self,
        interaction: discord.Interaction,
        action: Literal["preview", "now", "schedule"] = "preview",
        details: str | None = None,
    ) -> None:
        await self._run(interaction, command_text("digest", action, details))

    @app_commands.command(name="kpi", description="Knowledge-transfer indicators (coordinators)")
    @app_commands.describe(period="The period to report (default: month)")
    async def kpi(
        self, interaction: discord.Interaction, period: Literal["week", "month", "quarter"] | None = None
    ) -> None:
        await self._run(interaction, command_text("kpi", period))

    @app_commands.command(name="privacy", description="What I store about you; export or erase it")
    @app_commands.describe(action="show (default), export your data, or erase it", details="Further options")
    async def privacy(
        self,
        interaction: discord.Interaction,
        action: Literal["show", "export", "erase"] = "show",
        details: str | None = None,
    ) -> None:
        await self._run(interaction, command_text("privacy", None if action == "show" else action, details))

    @app_commands.command(name="audit", description="The newest audit-log entries (coordinators)")
    @app_commands.describe(number="How many entries to show")
    async def audit(self, interaction: discord.Interaction, number: int | None = None) -> None:
        await self._run(interaction, command_text("audit", str(number) if number is not None else None))

    @app_commands.command(name="role", description="Grant or revoke a role (admins)")
    @app_commands.describe(action="grant or revoke", member="The member", role="The role")
    async def role(
        self,
        interaction: discord.Interaction,
        action: Literal["grant", "revoke"],
        member: discord.User,
        role: Literal["expert", "coordinator"],
    ) -> None:
        token = f"<@{member.id}>"
        await self._run(interaction, command_text("role", action, token, role), mention_tokens([member], skip=None))


def command_tree(client: discord.Client, runner: CommandRunner | None) -> app_commands.CommandTree:
    tree = app_commands.CommandTree(client)
    tree.add_command(LighthouseCommands(runner))
    return tree

