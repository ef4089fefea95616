"""Command registry. Each feature's `commands` module registers its commands with `@command`;
`bot.app.catalogue` lists the features.

A command declares here, in one place, the role it needs (and any stricter role for a subcommand),
its help text and examples. The router does the checking, so a handler only does its own job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import CommandContext
    from bot.reply import Reply

Handler = Callable[["CommandContext"], Awaitable["Reply"]]


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    usage: str
    handler: Handler
    help: str = ""
    examples: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    role: str = "member"
    subcommand_roles: dict[str, str] = field(default_factory=dict)
    hidden: bool = False
    # The argument is a question the handler shortens itself, so it may exceed the usual message limit.
    accepts_long_text: bool = False
    # Answers by searching the knowledge base: may wait seconds for the model after a restart.
    searches: bool = False

    def role_for(self, args: list[str]) -> str:
        if args and args[0].lower() in self.subcommand_roles:
            return self.subcommand_roles[args[0].lower()]
        return self.role


_REGISTRY: dict[str, Command] = {}
_ALIASES: dict[str, str] = {}


def command(
    name: str,
    *,
    summary: str,
    usage: str,
    help: str = "",  # noqa: A002 - the natural name for help text
    examples: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    role: str = "member",
    subcommand_roles: dict[str, str] | None = None,
    hidden: bool = False,
    accepts_long_text: bool = False,
    searches: bool = False,
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in _REGISTRY or name in _ALIASES:
            raise ValueError(f"command {name!r} registered twice")
        _REGISTRY[name] = Command(
            name=name,
            summary=summary,
            usage=usage,
            handler=handler,
            help=help.strip(),
            examples=examples,
            aliases=aliases,
            role=role,
            subcommand_roles=dict(subcommand_roles or {}),
            hidden=hidden,
            accepts_long_text=accepts_long_text,
            searches=searches,
        )
        for alias in aliases:
            _ALIASES[alias] = name
        return handler

    return register


def registered() -> dict[str, Command]:
    """The commands registered so far (`bot.app.catalogue` imports every feature, so all of them)."""
    return _REGISTRY


def lookup(name: str) -> Command | None:
    name = name.lower()
    return _REGISTRY.get(_ALIASES.get(name, name))


def all_commands() -> list[Command]:
    return sorted(_REGISTRY.values(), key=lambda c: c.name)


def names_and_aliases() -> list[str]:
    return sorted([*_REGISTRY, *_ALIASES])
