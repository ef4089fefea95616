"""`experts <question>`: people whose expertise, pilots and documents match, other organisations first."""

from __future__ import annotations

from bot.commands import command
from bot.context import CommandContext
from bot.reply import Reply
from knowledge.answers import experts_reply
from knowledge.query import parse_question


@command(
    "experts",
    accepts_long_text=True,
    searches=True,
    summary="Find people who know about something",
    usage="experts <question> [--cross-border] [--sector X] [country:X] [theme:X]",
    help=(
        "People whose expertise, or a pilot they worked on, matches your question. People from other "
        "organisations come first. `--cross-border` also puts people from other countries first; "
        "`--sector X` keeps only people from that sector; `country:X` only people in that country. "
        "People are members who listed their expertise (`profile set expertise ...`) and the expert profiles "
        "in the knowledge base; members who switched expert search off are never listed, and you never see "
        "yourself. Press “Introduce me” to ask for an introduction."
    ),
    examples=(
        "experts school food procurement",
        "experts --cross-border digital mental health for teenagers",
        "experts --sector hospital childhood obesity treatment",
    ),
    aliases=("expert",),
)
async def experts(ctx: CommandContext) -> Reply:
    question = parse_question(ctx.args_text, flags=("cross-border",), fixed_kind="expert")
    return await experts_reply(ctx, question)
