"""A feature as one object: the commands, job kinds, audit and refusal wording it brings, and what it does at
start-up.

Each feature's `commands` module makes one `Feature` and declares on it, next to the handlers: `@FEATURE.command`,
`FEATURE.command_with_subcommands`, `@FEATURE.job`. Nothing is registered anywhere else until a core is built
with the feature (`bot.app.core.Lighthouse`): then its commands join the core's registry and its job kinds the
core's scheduler, and a name declared twice fails that build.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.audit import KERNEL_AUDIT_WORDING, AuditWording
from bot.commands import Command, CommandRegistry, Handler
from bot.scheduler import JobHandler, JobKind
from config.errors import RefusalWording, UserError, WordedError, word_refusal

if TYPE_CHECKING:
    from bot.runtime import Runtime

StartHook = Callable[["Runtime"], Awaitable[None]]


@dataclass
class Feature:
    name: str
    # Run once when the core starts, after the schema is migrated (e.g. re-creating the digests' next jobs).
    on_start: StartHook | None = None
    # How the audit log words the actions this feature writes, by action.
    audit_wording: Mapping[str, AuditWording] = field(default_factory=dict)
    # How the refusals its services raise are worded (message, hint), by their base class.
    refusals: Mapping[type[WordedError], RefusalWording] = field(default_factory=dict)
    commands: list[Command] = field(default_factory=list)
    jobs: dict[str, JobKind] = field(default_factory=dict)

    def command(self, name: str, **declaration: Any) -> Callable[[Handler], Handler]:
        """Declare a command with one handler (the decorated function); `declaration`: `Command`'s fields."""

        def declare(handler: Handler) -> Handler:
            self.commands.append(Command(name=name, handler=handler, **declaration))
            return handler

        return declare

    def command_with_subcommands(self, name: str, **declaration: Any) -> Command:
        """Declare a command whose subcommands do its work: the kernel dispatches to them (`Command.dispatch`)."""
        declared = Command(name=name, **declaration)
        self.commands.append(declared)
        return declared

    def job(
        self, kind: str, *, rerun_safe: bool = False, on_skip: JobHandler | None = None
    ) -> Callable[[JobHandler], JobHandler]:
        """Declare the handler of one kind of job (see `bot.scheduler` for `rerun_safe` and `on_skip`)."""

        def declare(handler: JobHandler) -> JobHandler:
            if kind in self.jobs:
                raise ValueError(f"feature {self.name!r} declares job kind '{kind}' twice")
            self.jobs[kind] = JobKind(handler=handler, rerun_safe=rerun_safe, on_skip=on_skip)
            return handler

        return declare


@dataclass(frozen=True)
class Catalogue:
    """What the features a core is built with declared, checked together: commands by name and alias, job
    kinds, audit wording, the wording of refusals. Building it fails on a command name, alias, job kind or audit action declared twice."""

    features: tuple[Feature, ...]
    commands: CommandRegistry
    jobs: dict[str, JobKind]
    audit_wording: dict[str, AuditWording]
    refusals: dict[type[WordedError], RefusalWording]

    @classmethod
    def of(cls, features: Iterable[Feature]) -> Catalogue:
        features = tuple(features)
        names = [feature.name for feature in features]
        if len(set(names)) != len(names):
            raise ValueError(f"a feature is listed twice: {names}")
        commands = CommandRegistry(command for feature in features for command in feature.commands)
        jobs: dict[str, JobKind] = {}
        wording: dict[str, AuditWording] = dict(KERNEL_AUDIT_WORDING)
        for feature in features:
            _add_once(jobs, feature.jobs, "job kind '{}' is declared by two features")
            _add_once(wording, feature.audit_wording, "audit action '{}' is worded twice")
        refusals = {kind: words for feature in features for kind, words in feature.refusals.items()}
        return cls(features, commands, jobs, wording, refusals)

    def word(self, error: UserError) -> str:
        """What a member reads for `error`: a refusal as its feature words it, with its hint on a line of its own."""
        return word_refusal(error, self.refusals)


def _add_once(into: dict, declared: dict, twice: str) -> None:
    """Adds `declared` to `into`; a key already there fails with `twice`, the key in its braces."""
    for key, value in declared.items():
        if key in into:
            raise ValueError(twice.format(key))
        into[key] = value
