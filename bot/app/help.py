"""`help` and `help <command>`."""

from __future__ import annotations

from bot.app.router import RULE_HELP, suggestions
from bot.commands import Argument, Command, CommandRegistry, Subcommand
from bot.context import CommandContext
from bot.feature import Feature
from bot.reply import Field, Reply, Section
from config.errors import UserError
from config.vocabulary import role_rank

FEATURE = Feature("help")


@FEATURE.command(
    "help",
    summary="List what I can do, or explain one command",
    usage="help [command]",
    examples=("help", "help profile"),
    aliases=("?", "commands"),
    needs_database=False,
    takes=lambda words: len(words) <= 2,  # a command's name, and one of its subcommands ("help me find pilots…" asks)
)
async def help_command(ctx: CommandContext) -> Reply:
    if ctx.args:
        return _one_command(ctx.catalogue.commands, ctx.args[0])
    visible = [c for c in ctx.catalogue.commands.all() if not c.hidden and role_rank(ctx.role) >= role_rank(c.role)]
    lines = [f"• `{c.usage}` — {c.summary}" for c in visible]
    return Reply(
        text="Lighthouse connects people, pilots and knowledge across sectors and borders.",
        sections=[
            Section(title="Commands", text="\n".join(lines)),
            Section(context=f"{RULE_HELP}\nType `help <command>` for details and examples."),
        ],
    )


def _one_command(commands: CommandRegistry, name: str) -> Reply:
    found = commands.lookup(name)
    if found is None:
        close = suggestions(commands, name.lower())
        hint = f"Did you mean: {', '.join(close)}?" if close else "Type `help` for the list."
        raise UserError(f"There is no command “{name[:40]}”.", hint=hint)
    text = found.help or found.summary
    if found.examples:
        text += "\n\nExamples:\n" + "\n".join(f"• `{e}`" for e in found.examples)
    sections = [Section(title=found.name, text=text, fields=_command_fields(found))]
    if found.subcommands:
        lines = [_subcommand_line(found, sub) for sub in found.subcommands]
        sections.append(Section(title="Subcommands", text="\n".join(lines)))
    return Reply(sections=sections)


def _command_fields(found: Command) -> list[Field]:
    """Usage, who may use it, each argument and the aliases."""
    fields = [Field("Usage", f"`{found.usage}`")]
    if found.role != "member":
        fields.append(Field("Who can use it", f"{found.role}s and above"))
    fields.extend(_argument_field(argument) for argument in found.arguments)
    if found.aliases:
        fields.append(Field("Also", ", ".join(f"`{a}`" for a in found.aliases)))
    return fields


def _argument_field(argument: Argument) -> Field:
    choices = f": {', '.join(argument.choices)}" if argument.choices else ""
    default = f" (default: {argument.default})" if argument.default is not None else ""
    return Field(f"`{argument.name}`", argument.description + choices + default)


def _subcommand_line(found: Command, sub: Subcommand) -> str:
    """`event add …` — what it does (coordinators and above; the default)."""
    notes = []
    if sub.role and sub.role != found.role:
        notes.append(f"{sub.role}s and above")
    if sub.name == found.default:
        notes.append(f"what `{found.name}` alone does")
    if sub.aliases:
        notes.append("also " + ", ".join(f"`{alias}`" for alias in sub.aliases))
    return f"• `{sub.usage(found.name)}` — {sub.summary}" + (f" ({'; '.join(notes)})" if notes else "")
