"""Commands: how one is declared, and the registry of the commands a core offers. Each feature's `commands`
module declares its commands on its `Feature` (`bot.feature`); the core registers the features it is built
with (`bot.app.catalogue` lists them all).

A command is declared once: its role, help text and examples, and - for a command with subcommands - each
subcommand with its own summary, arguments and role, and the one run when nothing follows the command's
name. Everything else is generated from the declaration: the dispatch to a subcommand (below), the role
check (the router), `help <command>` (bot.app.help) and the platforms' typed command trees (the Discord
adapter). So a handler only does its own job, and every platform offers the same subcommands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from config.errors import UserError
from config.typos import typos_of
from config.vocabulary import Role

if TYPE_CHECKING:
    from bot.context import CommandContext
    from bot.reply import Reply

Handler = Callable[["CommandContext"], Awaitable["Reply"]]
# A subcommand's handler gets the context and the words typed after the subcommand's name.
SubcommandHandler = Callable[["CommandContext", list[str]], Awaitable["Reply"]]


def declared_role(word: Role | str, declared: str) -> Role:
    """The role a declaration names; an unknown word stops the import that declares it (fails closed)."""
    try:
        return Role(word)
    except ValueError:
        raise ValueError(f"{declared} declares the unknown role {word!r}; roles: {', '.join(Role)}") from None


@dataclass(frozen=True)
class Argument:
    """A value typed after a command's name, declared for platforms with typed forms (Discord's options)."""

    name: str
    description: str
    choices: tuple[str, ...] = ()
    # What the command does without it, as the description shows it.
    default: str | None = None
    whole_number: bool = False

    def described(self) -> str:
        return self.description + (f" (default: {self.default})" if self.default is not None else "")


@dataclass(frozen=True)
class Subcommand:
    name: str
    handler: SubcommandHandler
    summary: str
    # What follows the name, as `help` shows it ("ID going|interested|not_going"); empty when nothing does.
    syntax: str = ""
    # None: the command's own role.
    role: Role | None = None
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role is not None:
            object.__setattr__(self, "role", declared_role(self.role, f"subcommand {self.name!r}"))

    def usage(self, command_name: str) -> str:
        return " ".join(part for part in (command_name, self.name, self.syntax) if part)


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    usage: str
    # What the router calls once the role check passed. Left out for a command with subcommands: then it
    # dispatches to them (`dispatch`).
    handler: Handler | None = None
    help: str = ""
    examples: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    role: Role = Role.MEMBER
    # The values a command without subcommands takes, in order (a command with subcommands takes free text).
    arguments: tuple[Argument, ...] = ()
    subcommands: tuple[Subcommand, ...] = ()
    # The subcommand run when nothing follows the command's name.
    default: str | None = None
    # Runs words no subcommand claims (`intro @ana <why>`); without it they are refused, naming the subcommands.
    otherwise: Handler | None = None
    hidden: bool = False
    # The argument is a question the handler shortens itself, so it may exceed the usual message limit.
    accepts_long_text: bool = False
    # Answers by searching the knowledge base: may wait seconds for the model after a restart.
    searches: bool = False
    # Answers without the database (help): while the database is not answering it still answers, for the
    # role the settings give the asker (a configured admin, or a member).
    needs_database: bool = True
    # Whether it takes the words typed after its name; None: any (the command answers what it cannot use).
    # Words it does not take make the message a question: "quit smoking programmes", "next steps for...".
    takes: Callable[[list[str]], bool] | None = None
    _by_word: dict[str, Subcommand] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", declared_role(self.role, f"command {self.name!r}"))
        by_word = self._subcommand_words()
        self._check_shape(by_word)
        object.__setattr__(self, "_by_word", by_word)
        object.__setattr__(self, "help", self.help.strip())
        # Also when copied with `dataclasses.replace`: the copy dispatches to its own subcommands.
        if self.handler is None or getattr(self.handler, "__func__", None) is Command.dispatch:
            object.__setattr__(self, "handler", self.dispatch)

    def _subcommand_words(self) -> dict[str, Subcommand]:
        """Each subcommand by its name and aliases, each word declared once and in lower case."""
        by_word: dict[str, Subcommand] = {}
        for sub in self.subcommands:
            for word in (sub.name, *sub.aliases):
                if word in by_word or word != word.lower():
                    raise ValueError(f"subcommand {self.name} {word!r} declared twice or not in lower case")
                by_word[word] = sub
        return by_word

    def _check_shape(self, by_word: dict[str, Subcommand]) -> None:
        if self.default is not None and self.default not in by_word:
            raise ValueError(f"the default of {self.name!r} is not one of its subcommands: {self.default!r}")
        if self.arguments and self.subcommands:
            raise ValueError(f"command {self.name!r}: its subcommands take the words that follow, not arguments")
        if self.handler is None and not self.subcommands:
            raise ValueError(f"command {self.name!r} has neither a handler nor subcommands")

    def subcommand_words(self) -> list[str]:
        """Every subcommand's name and aliases."""
        return list(self._by_word)

    def subcommand(self, word: str | None) -> Subcommand | None:
        return self._by_word.get(word.lower()) if word else None

    def chosen(self, args: list[str]) -> Subcommand | None:
        """The subcommand these words run: the one they name, or the default when there are none."""
        return self.subcommand(args[0]) if args else self.subcommand(self.default)

    def role_for(self, args: list[str]) -> Role:
        chosen = self.chosen(args)
        return chosen.role if chosen is not None and chosen.role else self.role

    def label_for(self, args: list[str]) -> str:
        """How a refusal names what needs the role: `role grant` (a stricter subcommand), or `digest`."""
        chosen = self.subcommand(args[0]) if args else None
        return f"{self.name} {chosen.name}" if chosen is not None and chosen.role else self.name

    async def dispatch(self, ctx: CommandContext) -> Reply:
        """The one dispatch of every command with subcommands."""
        words = ctx.args
        chosen = self.chosen(words)
        if chosen is not None:
            return await chosen.handler(ctx, words[1:] if words else [])
        if self.otherwise is None:
            raise self.unknown(words[0] if words else "")
        try:
            return await self.otherwise(ctx)
        except UserError as refused:
            # `intro accpt 1` read as a request to meet "accpt": the refusal asks what was meant.
            if words and (meant := self._meant(words)) is not None:
                refused.hint = f"Did you mean `{meant}`?"
            raise

    def unknown(self, word: str) -> UserError:
        meant = self._meant([word])
        listed = ", ".join(f"`{sub.usage(self.name)}`" for sub in self.subcommands)
        return UserError(
            f"`{self.name} {word[:20]}` is not something I can do.",
            hint=f"Did you mean `{meant}`?" if meant else f"Try {listed}, or `help {self.name}`.",
        )

    def _meant(self, words: list[str]) -> str | None:
        """The command line these words were most likely meant as, when their first is a typo of a
        subcommand (`privacy erse` for `privacy erase`); else None."""
        close = typos_of(words[0].lower(), self.subcommand_words())
        return " ".join([self.name, close[0], *words[1:]]) if close else None


def context_only(handler: Handler) -> SubcommandHandler:
    """A subcommand handler from one that reads what it needs from the context (`ctx.args`) itself."""
    return lambda ctx, _words: handler(ctx)


class CommandRegistry:
    """The commands one core offers, by name and alias. A name or alias offered twice fails the build of the
    core, naming both commands."""

    def __init__(self, declared: Iterable[Command] = ()) -> None:
        self._by_name: dict[str, Command] = {}
        self._aliases: dict[str, str] = {}
        for each in declared:
            self.add(each)

    def add(self, declared: Command) -> None:
        for word in (declared.name, *declared.aliases):
            taken = self.lookup(word)
            if taken is not None:
                raise ValueError(f"command {declared.name!r}: {word!r} is already the name or alias of {taken.name!r}")
        self._by_name[declared.name] = declared
        for alias in declared.aliases:
            self._aliases[alias] = declared.name

    def lookup(self, name: str) -> Command | None:
        name = name.lower()
        return self._by_name.get(self._aliases.get(name, name))

    def by_name(self) -> dict[str, Command]:
        return dict(self._by_name)

    def all(self) -> list[Command]:
        return sorted(self._by_name.values(), key=lambda c: c.name)

    def names_and_aliases(self) -> list[str]:
        return sorted([*self._by_name, *self._aliases])
