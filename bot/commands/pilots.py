"""`pilots <question>`: search pilot projects only."""

from __future__ import annotations

from bot.commands import command
from bot.context import CommandContext
from bot.reply import Reply
from knowledge.answers import find_reply
from knowledge.query import parse_question


@command(
    "pilots",
    accepts_long_text=True,
    searches=True,
    summary="Find pilot projects",
    usage="pilots <question> [theme:X] [country:X] [sector:X] [since:YYYY] [until:YYYY]",
    help=(
        "Pilot projects that match your question, with partners, status, contact and the passage that matches. "
        "Filters: theme, country, sector (of a partner), since/until (the pilot's start). "
        "Filters alone list every matching pilot, newest first."
    ),
    examples=("pilots school obesity", "pilots peer support for young people country:SE", "pilots theme:equity since:2024"),
    aliases=("pilot",),
)
async def pilots(ctx: CommandContext) -> Reply:
    question = parse_question(ctx.args_text, fixed_kind="pilot")
    return await find_reply(ctx, question, what="pilots", example="pilots school obesity")
