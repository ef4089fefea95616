"""Search commands: `find` (everything), `pilots`, `experts` and `match me`, over the knowledge base."""

from __future__ import annotations

from dataclasses import replace

from bot.context import CommandContext
from bot.feature import Feature
from bot.reply import Reply
from bot.search import service as search
from bot.search import views
from bot.search.query import Question, parse_question
from config.errors import UserError

FEATURE = Feature("search", refusals=views.REFUSALS)

NARROWING = "Narrow it: `pilots …` or `experts …` for one kind, filters such as `country:DK` or `theme:obesity` (`help find`)."


@FEATURE.command(
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
    if ctx.invoked_as == "ask" and ctx.args_text.split(None, 1)[:1] in (["community"], ["Community"]):
        return await _ask_the_community(ctx)
    question = parse_question(ctx.args_text)
    reply = await _documents(ctx, question, what="results", example="find school food programmes")
    # A plain question (or `ask`): say how to narrow it, once; not when nothing matched well, where narrowing
    # cannot help (the answer points to the community instead).
    if ctx.invoked_as in ("", "ask") and not reply.weak and not question.lists:
        reply.text += f"\n{NARROWING}"
    return reply


async def _ask_the_community(ctx: CommandContext) -> Reply:
    """`ask community <question>` is `community ask <question>` (found through the registry: no feature
    imports another's commands)."""
    community = ctx.catalogue.commands.lookup("community")
    chosen = community.subcommand("ask") if community is not None else None
    if chosen is None:
        raise UserError("Asking the community is not available here.")
    rest = ctx.args_text.split(None, 1)[1] if len(ctx.args_text.split(None, 1)) > 1 else ""
    return await chosen.handler(replace(ctx, command_name="community", args_text=f"ask {rest}"), [])


@FEATURE.command(
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
    examples=("pilots school obesity", "pilots peer support for young people country:DK", "pilots theme:equity since:2024"),
    aliases=("pilot",),
)
async def pilots(ctx: CommandContext) -> Reply:
    question = parse_question(ctx.args_text, fixed_kind="pilot")
    return await _documents(ctx, question, what="pilots", example="pilots school obesity", fixed_kind="pilot")


async def _documents(
    ctx: CommandContext, question: Question, *, what: str, example: str, fixed_kind: str | None = None
) -> Reply:
    """`find` and `pilots`: the best matches for the question, or with filters alone everything they match."""
    knowledge = await search.knowledge_base(ctx.core)
    if not question.text.strip():
        if not question.lists:
            raise views.ask_what_to_find(example, fixed_kind)
        return views.browsed(await search.browse(knowledge, ctx.member, question.filters), ctx.member, question, what=what)
    answer = await search.find(knowledge, ctx.member, question.text, question.filters)
    return views.found(answer, ctx.member, question, what=what)


@FEATURE.command(
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
        "yourself. Press “Introduce me” to ask for an introduction. Filters alone (`experts country:KE`) "
        "list every expert they match."
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
    knowledge = await search.knowledge_base(ctx.core)
    if not question.text.strip():
        if not question.lists:
            raise views.ask_whom_to_find()
        # Filters alone list every expert they match, as they do for `find` and `pilots`.
        return views.browsed(await search.browse(knowledge, ctx.member, question.filters), ctx.member, question, what="experts")
    cross_border = "cross-border" in question.flags
    people, answer = await search.rank_people(
        knowledge, ctx.member, question.text, question.filters, cross_border=cross_border
    )
    return views.experts(people, answer, ctx.member, cross_border=cross_border)


@FEATURE.command(
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
    # `match me`, or a mistyped "me" (answered with how to type it); more words ask a question ("match
    # making between SMEs and hospitals").
    takes=lambda words: len(words) <= 1,
)
async def match(ctx: CommandContext) -> Reply:
    if [a.lower() for a in ctx.args] not in (["me"], []):
        raise UserError("`match` works on your own profile: type `match me`.", hint="To search for something, use `find <question>`.")
    knowledge = await search.knowledge_base(ctx.core)
    return views.matches(await search.match(knowledge, ctx.member), ctx.member)
