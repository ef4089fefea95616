"""`privacy`: what I store about you and why, your consent flags, export and erasure."""

from __future__ import annotations

from bot.commands import Subcommand, context_only
from bot.context import CommandContext
from bot.feature import Feature
from bot.privacy import service as privacy_data
from bot.privacy import views
from bot.privacy.consent import CONSENT_FLAGS, parse_consent_flag
from bot.privacy.export import export_json
from bot.reply import Reply
from config.errors import UserError

FEATURE = Feature("privacy", audit_wording=views.AUDIT_WORDING, refusals=views.REFUSALS)

USAGE = "privacy [consent <flag> on|off | export | erase]"
_ON = {"on", "yes", "true", "1", "allow"}
_OFF = {"off", "no", "false", "0", "deny", "stop"}


async def _erase_step(ctx: CommandContext, words: list[str]) -> Reply:
    """`privacy erase` asks to confirm; its button sends `privacy erase confirm <token>`."""
    if not words:
        return await _ask_to_confirm(ctx)
    if len(words) == 2 and words[0].lower() == "confirm":
        return await _erase(ctx, words[1])
    raise UserError("To erase your data, type `privacy erase` and press the confirmation button.")


async def _explain(ctx: CommandContext) -> Reply:
    return views.explanation(await privacy_data.overview(ctx.core, ctx.member.id))


async def _consent(ctx: CommandContext, args: list[str]) -> Reply:
    names = ", ".join(f"`{name}`" for name in CONSENT_FLAGS)
    if len(args) != 2:
        raise UserError("Usage: `privacy consent <flag> on|off`.", hint=f"Flags: {names}.")
    flag = parse_consent_flag(args[0])
    if flag is None:
        raise UserError(f"“{args[0][:30]}” is not a consent flag.", hint=f"Flags: {names}.")
    answer = args[1].lower()
    if answer not in _ON | _OFF:
        raise UserError(f"Say `on` or `off`, for example `privacy consent {flag.name} off`.")
    value = answer in _ON
    unlinked = await privacy_data.change_consent(ctx.core, ctx.member.id, flag, value)
    return views.consent_changed(flag, value, unlinked)


async def _export(ctx: CommandContext) -> Reply:
    data = await privacy_data.export_for(ctx.core, ctx.member.id)
    return views.export(ctx.member.id, export_json(data), ctx.now())


async def _ask_to_confirm(ctx: CommandContext) -> Reply:
    return views.confirm_erasure(await privacy_data.ask_to_erase(ctx.core, ctx.member.id))


async def _erase(ctx: CommandContext, token: str) -> Reply:
    account = (ctx.message.platform, ctx.message.author.user_id)
    return views.erased(await privacy_data.erase_confirmed(ctx.core, ctx.member.id, token, account=account))


FEATURE.command_with_subcommands(
    "privacy",
    summary="What I store about you and why; consent, export and erasure",
    usage=USAGE,
    help=(
        "`privacy` explains in plain words what I keep about you and why, and shows your consent flags.\n"
        "`privacy consent <flag> on|off` changes a flag. Flags: "
        + ", ".join(f"`{name}` ({flag.meaning})" for name, flag in CONSENT_FLAGS.items())
        + ".\n`privacy export` sends you all your data as a JSON file in a direct message.\n"
        "`privacy erase` deletes your profile and accounts after you confirm with a button; introductions "
        "and exchanges you took part in stay only as anonymous counts by organisation, sector and country."
    ),
    examples=(
        "privacy",
        "privacy consent expert-search off",
        "privacy consent introductions on",
        "privacy consent exchange-logging off",
        "privacy export",
        "privacy erase",
    ),
    subcommands=(
        Subcommand("show", context_only(_explain), "What I store about you and why, and your consent flags"),
        Subcommand("consent", _consent, "Switch a consent flag on or off", "<flag> on|off"),
        Subcommand("export", context_only(_export), "All your data as a file, in a direct message"),
        Subcommand("erase", _erase_step, "Delete your profile and accounts (asks you to confirm)"),
    ),
    default="show",
)
