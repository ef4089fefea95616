"""`community`: ask the other members, answer them, mark an answer helpful, keep it as knowledge."""

from __future__ import annotations

import shlex
from dataclasses import replace

from bot.commands import Subcommand, context_only
from bot.community import asking, keeping, views
from bot.community import service as community
from bot.context import CommandContext
from bot.feature import Feature
from bot.reply import Reply
from config.errors import UserError

FEATURE = Feature("community", audit_wording=views.AUDIT_WORDING, refusals=views.REFUSALS)

ANONYMOUS_FLAGS = ("--anonymous", "--anon", "anonymously:", "anonymous:")
# `community ask --edit <question>`: the form, with the question filled in to change before it is posted.
EDIT_FLAG = "--edit"
QUESTION_FIELD = "question"
ALSO_ASK = "To ask members instead, type `community ask <your question>`."


def _rest(ctx: CommandContext, skip: int) -> str:
    """The text after the first `skip` words, as typed (line breaks and quotes kept)."""
    parts = ctx.args_text.split(None, skip)
    return parts[skip] if len(parts) > skip else ""


def _number(raw: str | None, what: str, example: str) -> int:
    if raw is None:
        raise UserError(f"Which {what}? Give its number.", hint=f"For example `{example}`; `community` lists the questions.")
    cleaned = raw.removeprefix("#")
    if not cleaned.isdigit() or len(cleaned) > 12:
        raise UserError(f"“{raw[:20]}” is not a {what} number.", hint=f"For example `{example}`.")
    return int(cleaned)


def _from_form(text: str) -> str:
    """A submitted form sends `question='...'`; typed text is taken as it is."""
    if not text.startswith(f"{QUESTION_FIELD}="):
        return text
    try:
        parts = shlex.split(text)
    except ValueError:
        parts = [text]
    return " ".join(part.removeprefix(f"{QUESTION_FIELD}=") for part in parts)


async def ask_text(ctx: CommandContext, text: str) -> Reply:
    """Post `text` as a question to the community (`community ask`, `ask community`, the weak answer's button)."""
    text = _from_form(text.strip())
    if not text.strip():
        return views.ask_for_question(QUESTION_FIELD)
    if text.split(None, 1)[0].lower() == EDIT_FLAG:
        return views.ask_for_question(QUESTION_FIELD, draft=text[len(EDIT_FLAG):].strip())
    words = text.split()
    anonymous = False
    while words and words[0].lower() in ANONYMOUS_FLAGS:
        anonymous, text = True, text.split(None, 1)[1] if len(words) > 1 else ""
        words = words[1:]
    if words and words[-1].lower() == "--anonymous":
        anonymous, text = True, text.rsplit(None, 1)[0]
    outcome = await asking.ask(
        ctx.core, ctx.member, text, anonymous=anonymous, platform=ctx.message.platform, notices=views.NOTICES
    )
    ctx.audited = True
    return views.asked(outcome)


async def _ask(ctx: CommandContext) -> Reply:
    return await ask_text(ctx, _rest(ctx, 1))


async def _list(ctx: CommandContext) -> Reply:
    raw = ctx.args[1].lower() if len(ctx.args) > 1 else community.OPEN
    if raw not in (community.OPEN, community.CLOSED):
        raise UserError("List `community list open` or `community list closed`.")
    return views.board(await community.board(ctx.core, ctx.member, status=raw))


async def _show(ctx: CommandContext) -> Reply:
    question_id = _number(ctx.args[1] if len(ctx.args) > 1 else None, "question", "community show 3")
    coordinator = ctx.role in ("coordinator", "admin")
    return views.question_shown(await community.question_view(ctx.core, question_id, coordinator=coordinator), ctx.member)


async def _answer(ctx: CommandContext) -> Reply:
    words = ctx.args_text.split(None, 2)
    question_id = _number(words[1] if len(words) > 1 else None, "question", "community answer 3 We used …")
    text = words[2] if len(words) > 2 else ""
    outcome = await community.answer(
        ctx.core, ctx.member, question_id, text, platform=ctx.message.platform, notices=views.NOTICES,
        channel_id=ctx.message.channel_id, guild_id=ctx.message.guild_id,
    )
    return views.answered(outcome)


async def _helpful(ctx: CommandContext) -> Reply:
    args = ctx.args[1:]
    question_id = _number(args[0] if args else None, "question", "community helpful 3 7")
    answer_id = _number(args[1] if len(args) > 1 else None, "answer", f"community helpful {question_id} 7")
    marked = await keeping.mark_helpful(ctx.core, ctx.member, question_id, answer_id, notices=views.NOTICES)
    return views.marked_helpful(marked)


async def _keep(ctx: CommandContext) -> Reply:
    args = ctx.args[1:]
    answer_id = _number(args[0] if args else None, "answer", "community keep 7 yes")
    choice = args[1].lower() if len(args) > 1 else ""
    if choice not in ("yes", "no", "y", "n"):
        raise UserError("May I keep your answer in the knowledge base? Answer yes or no.",
                        hint=f"For example `community keep {answer_id} yes`.")
    return views.keep_decided(await keeping.decide_keep(ctx.core, ctx.member, answer_id, keep=choice.startswith("y")))


def _status(status: str):  # noqa: ANN202 - a subcommand handler
    async def change(ctx: CommandContext) -> Reply:
        question_id = _number(ctx.args[1] if len(ctx.args) > 1 else None, "question", f"community {status[:-1]} 3")
        changed = await community.set_status(ctx.core, ctx.member, question_id, status)
        ctx.audited = True  # the service wrote a precise entry
        return views.status_changed(question_id, status, changed)

    return change


async def _channel(ctx: CommandContext) -> Reply:
    if [a.lower() for a in ctx.args[1:]] != ["here"]:
        raise UserError("Type `community channel here` in the channel where questions should be posted.")
    message = ctx.message
    if message.platform == "console" or message.is_direct:
        raise UserError(
            "Questions are posted in a Slack or Discord channel: type this in that channel, not in a direct message.",
            hint="In the console, questions go on the local board (`community`).",
        )
    previous = await community.set_channel(
        ctx.core, ctx.member, platform=message.platform, channel_id=message.channel_id, guild_id=message.guild_id
    )
    ctx.audited = True
    return views.channel_set(message.platform, message.channel_id, previous)


async def _search_instead(ctx: CommandContext) -> Reply:
    """`community <words>` that name no subcommand: the plain question it was before this command existed."""
    find = ctx.catalogue.commands.lookup("find")
    assert find is not None and find.handler is not None
    reply = await find.handler(replace(ctx, args_text=f"community {ctx.args_text}", command_name="find", invoked_as=""))
    reply.text += f"\n{ALSO_ASK}"
    return reply


FEATURE.command_with_subcommands(
    "community",
    summary="Ask the other members a question, answer theirs; helpful answers can become knowledge",
    usage="community ask <question> | community answer ID <text> | community",
    help=(
        "When the knowledge base has no good answer, ask the members: `community ask <question>` (add "
        "`--anonymous` to leave your name out). The question shows your name, organisation and country, its "
        "themes and language, and the closest knowledge I found. On Slack and Discord it is posted in the "
        "community channel a coordinator chose (`community channel here`) as a thread: replies in that thread "
        "are answers. Everywhere, `community answer ID <text>` answers a question; `community` lists the open "
        "ones and `community show ID` shows one with its answers.\n"
        "You are told of each answer to your question and can mark one helpful (`community helpful ID ANSWER`). "
        "Its author is then asked whether it may be kept in the knowledge base: if they agree, `find`, "
        "`experts` and `match me` show it to everyone, attributed to them; `community keep ANSWER no` takes it "
        "back at any time. Members who opt in (`privacy consent community-questions on`) are told of questions "
        "about their expertise, a few times a week at most. Coordinators may close or remove a question.\n"
        "`ask community <question>` is the same as `community ask`; `ask <question>` alone searches."
    ),
    examples=(
        "community ask How did other municipalities reach fathers in parenting programmes?",
        "community ask --anonymous Has anyone measured loneliness in sheltered housing?",
        "community",
        "community show 3",
        "community answer 3 We worked with the local football clubs; our evaluation is at https://example.org",
        "community helpful 3 7",
        "community keep 7 yes",
    ),
    subcommands=(
        Subcommand("list", context_only(_list), "The open questions (or `closed` ones), newest first", "[open|closed]",
                   aliases=("board", "open")),
        Subcommand("ask", context_only(_ask), "Ask the community a question", "[--anonymous] <question>"),
        Subcommand("show", context_only(_show), "A question with its answers", "ID"),
        Subcommand("answer", context_only(_answer), "Answer a question", "ID <text>", aliases=("reply",)),
        Subcommand("helpful", context_only(_helpful), "Mark an answer to your question as helpful", "ID ANSWER_ID"),
        Subcommand("keep", context_only(_keep), "Let your helpful answer be kept as knowledge, or take it back",
                   "ANSWER_ID yes|no"),
        Subcommand("close", context_only(_status(community.CLOSED)), "Close a question (no more answers)", "ID",
                   role="coordinator"),
        Subcommand("remove", context_only(_status(community.REMOVED)),
                   "Remove a question from the board (and its answers from the knowledge base)", "ID",
                   role="coordinator"),
        Subcommand("channel", context_only(_channel), "Post questions asked on this platform in this channel",
                   "here", role="coordinator"),
    ),
    default="list",
    otherwise=_search_instead,
)
