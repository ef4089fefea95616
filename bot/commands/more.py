"""`more`: the next page of a long answer (what the "More" button sends)."""

from __future__ import annotations

from bot.commands import command
from bot.context import CommandContext
from bot.errors import UserError
from bot.members import is_plain_number
from bot.reply import Reply


@command(
    "more",
    summary="Show the next page of a long answer",
    usage="more <page-id> <page>",
    help="Sent by the “More” button under a long answer; you rarely need to type it.",
    hidden=True,
)
async def more(ctx: CommandContext) -> Reply:
    args = ctx.args
    if len(args) != 2 or not is_plain_number(args[1]) or len(args[1]) > 6:
        raise UserError("That page link is not valid.", hint="Ask your question again to get fresh results.")
    reply = await ctx.core.paginator.page(args[0], int(args[1]))
    if reply is None:
        raise UserError("Those results have expired.", hint="Ask your question again to get fresh results.")
    return reply
