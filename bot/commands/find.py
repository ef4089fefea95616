"""`find <question>`: search everything in the knowledge base (pilots, experts, reports, tools)."""

from __future__ import annotations

from bot.commands import command
from bot.context import CommandContext
from bot.reply import Reply
from knowledge.answers import find_reply
from knowledge.query import parse_question

NARROWING = "Narrow it: `pilots …` or `experts …` for one kind, filters such as `country:DK` or `theme:obesity` (`help find`)."


@command(
    "find",
    accepts_long_text=True,
    searches=True,
    summary="Search pilots, experts, reports and tools",
    usage="find <question> [kind:X] [theme:X] [country:X] [sector:X] [since:YYYY] [until:YYYY]",
    help=(
        "Ask in plain language; I search by meaning and by keywords and show the best matches with their "
        "source and why they match. Narrow the search with filters: kind (pilot, expert, report, tool), "
        "theme (obesity, mental_health, health_innovation, equity, health_literacy), country (name or code), "
        "sector (municipality, region, hospital, research, sme, large_company, digital_developer, "
        "patient_organisation, other), since/until (a year, month or day). Filters alone list what matches.\n"
        "You may also just write your question, without `find`: a message whose first word is not a command is "
        "searched like this (a typo of a command, such as `profle`, gets “did you mean” instead)."
    ),
    examples=(
        "find school food programmes that reduced sugary drinks",
        "find loneliness among older people country:DK",
        "find kind:report theme:equity since:2024",
        "find digital mental health --sector hospital",
    ),
    aliases=("search", "ask"),
)
async def find(ctx: CommandContext) -> Reply:
    question = parse_question(ctx.args_text)
    reply = await find_reply(ctx, question, what="results", example="find school food programmes")
    if ctx.invoked_as in ("", "ask"):  # a plain question (or `ask`): say how to narrow it, once
        reply.text += f"\n{NARROWING}"
    return reply
