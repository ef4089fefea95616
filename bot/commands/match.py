"""`match me`: people, pilots and documents that fit the interests in your profile."""

from __future__ import annotations

from bot.commands import command
from bot.context import CommandContext
from bot.errors import UserError
from bot.reply import Reply
from knowledge.answers import match_reply


@command(
    "match",
    summary="People and pilots that fit your interests",
    usage="match me",
    help=(
        "Uses the interests in your profile (or your expertise when you have no interests) to suggest experts, "
        "pilots and documents; those from other organisations, countries and sectors than yours come first, "
        "and you are never suggested to yourself. Set interests with `profile set interests ...`."
    ),
    examples=("match me",),
    searches=True,
)
async def match(ctx: CommandContext) -> Reply:
    if [a.lower() for a in ctx.args] not in (["me"], []):
        raise UserError("`match` works on your own profile: type `match me`.", hint="To search for something, use `find <question>`.")
    return await match_reply(ctx)
