"""`intro`: ask for an introduction, answer one, report how it went, pause requests, list yours."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING, NoReturn

from bot.commands import Subcommand, SubcommandHandler, context_only
from bot.context import CommandContext
from bot.feature import Feature
from bot.ids import parse_count, parse_id
from bot.intros import listing, outcomes, pausing
from bot.intros import service as intros
from bot.intros import views as messages
from bot.intros.notices import NOTICES
from bot.intros.taking_back import take_back
from bot.members.views import did_you_mean_member, which_member
from bot.references import MAX_NAME_WORDS, AmbiguousMember, full_name_at_start, members_named, members_named_like
from bot.reply import Reply
from bot.sanitize import named_mentions
from config.errors import UserError
from storage.models import Job, Member

FEATURE = Feature("intros", refusals=messages.REFUSALS)

if TYPE_CHECKING:
    from bot.runtime import Runtime

_YES = {"yes", "y", "true", "met"}
_NO = {"no", "n", "false", "not", "notyet"}


def _intro_id(args: list[str], usage: str) -> int:
    return parse_id(args[0] if args else None, what="introduction", example=usage, listing="`intro list` shows yours.")


def split_target(args_text: str) -> tuple[str, str]:
    """("@name", "the reason as typed"); a quoted first word may contain spaces."""
    text = args_text.strip()
    if text[:1] in {'"', "'"}:
        end = text.find(text[0], 1)
        if end > 0:
            return text[1:end], text[end + 1 :].strip()
    token, _, rest = text.partition(" ")
    return token, rest.strip()


def _reason(raw: str) -> str:
    # A submitted form sends `reason='...'`; typed text is taken as it is.
    if raw.startswith("reason="):
        try:
            parts = shlex.split(raw)
        except ValueError:
            parts = [raw]
        raw = " ".join(part.removeprefix("reason=") for part in parts)
    return intros.check_reason(raw)


async def _candidates(ctx: CommandContext, token: str) -> list[Member]:
    return _not_myself(ctx, await members_named(ctx.core, ctx.message, token))


def _not_myself(ctx: CommandContext, candidates: list[Member]) -> list[Member]:
    if len(candidates) > 1:  # never yourself when someone else answers to the name too
        candidates = [member for member in candidates if member.id != ctx.member.id]
    return candidates


def _unknown_member(token: str) -> NoReturn:
    shown = token if len(token) <= 40 else token[:40] + "…"
    if re.fullmatch(r"member:\d{1,12}", token.strip(), flags=re.IGNORECASE):
        # An "Introduce me" button names a member by number: they are no longer a member (never said why).
        raise UserError(
            f"{shown} is not a member now, so I can't introduce you.",
            hint="`experts <topic>` finds people to meet.",
        )
    raise UserError(
        f"I don't know a member “{messages.safe_text(shown)}”.",
        hint="Name them with their @mention or display name; they need to have used the bot at least once. "
        "`experts <topic>` finds people to meet.",
    )


# "introduce me to Camilla Skov", "intro me with @ana": the words before the name are no name ("me" is you).
_ASKED_AS_A_SENTENCE = re.compile(r"^\s*me\s+(?:to|with)\s+(?=\S)", re.IGNORECASE)


async def _target_and_reason(ctx: CommandContext) -> tuple[str, list[Member], str]:
    """Who is named and the reason typed after them: a member's whole name of several words first (the
    reason must not swallow "Baumann" of "@Felix Baumann"), else the first (or quoted) word as a name."""
    args_text = _ASKED_AS_A_SENTENCE.sub("", ctx.args_text)
    if args_text.strip()[:1] not in {'"', "'"}:
        named = await full_name_at_start(ctx.core, ctx.message, args_text)
        if named is not None:
            token, candidates, reason = named
            return token, _not_myself(ctx, candidates), reason
    token, reason = split_target(args_text)
    return token, await _candidates(ctx, token), reason


async def _nobody_named(ctx: CommandContext, token: str) -> Reply:
    """Nobody has the name typed: the members it may be a typo of (`@camila skov`), each a button that asks
    them with the words typed after the name as the reason; else the refusal."""
    mentioned = ctx.message.mentions.get(token)
    if mentioned is not None:  # a platform user the bot has never met: named as the platform shows them
        raise UserError(
            f"{mentioned.display_name} is a bot; introductions are between people." if mentioned.is_bot else
            f"{mentioned.display_name} hasn't used Lighthouse yet, so I can't pass on a request to them.",
            hint=None if mentioned.is_bot else "Once they have (any command will do), ask again.",
        )
    if token.lower().startswith("member:"):  # a button's member number: exact, and never a typo of a name
        _unknown_member(token)
    typed = _ASKED_AS_A_SENTENCE.sub("", ctx.args_text)
    near = [(member, rest) for member, rest in await members_named_like(ctx.core, ctx.message, typed)
            if member.id != ctx.member.id]
    if not near:
        _unknown_member(_typed_name(typed) or token)
    return did_you_mean_member(
        token, near, lambda member, rest: f"intro member:{member.id} {named_mentions(rest, ctx.message.mentions)}".strip()
    )


def _surname_in_doubt(token: str, member: Member, reason: str) -> tuple[str, str] | None:
    """A first name typed alone named a member of a longer name, but the next word reads as a surname that is
    not theirs ("Rasmus Holdt", "Rasmus Hansen" for Rasmus Holt): nothing is sent before the member says
    that is whom they mean. (The name typed, the words after it), or None."""
    if token.lower().startswith("member:") or token.startswith("<"):  # a member id or a platform mention: exact
        return None
    typed = token.removeprefix("@").split()
    name = member.display_name.split()
    next_word, _, rest = reason.partition(" ")
    if len(name) <= len(typed) or len(next_word) < 2 or not next_word[:1].isupper():
        return None
    return None if next_word.casefold() == name[len(typed)].casefold() else (f"{token} {next_word}", rest.strip())


def _typed_name(typed: str) -> str:
    """The name as typed, for a refusal: the first word and the capitalised ones right after it ("Nobody
    Atall" of "Nobody Atall I want to meet…"), as far as a name goes."""
    words = typed.split()
    name = words[:1]
    for word in words[1:MAX_NAME_WORDS]:
        if len(word) < 2 or not word[:1].isupper():  # "I want to meet…" ends it
            break
        name.append(word)
    return " ".join(name)


async def _request(ctx: CommandContext) -> Reply:
    token, candidates, typed_reason = await _target_and_reason(ctx)
    # Names now, while the platform's mentions are known: the other side reads the reason later, elsewhere.
    raw_reason = named_mentions(typed_reason, ctx.message.mentions)
    if len(candidates) > 1:
        reason = " ".join(raw_reason.split())
        several = AmbiguousMember(token, candidates)
        return which_member(several, lambda member_id: f"intro member:{member_id} {reason}".strip())
    if not candidates:
        return await _nobody_named(ctx, token)
    if token not in ctx.message.mentions and (doubt := _surname_in_doubt(token, candidates[0], typed_reason)):
        typed_name, rest = doubt
        return did_you_mean_member(typed_name, [(candidates[0], rest)], lambda member, words: (
            f"intro member:{member.id} {named_mentions(words, ctx.message.mentions)}".strip()
        ))
    target = candidates[0]
    existing = await intros.existing_introduction(ctx.core, ctx.member, target)
    if existing is not None:  # before any other check: a paused or short-reason request still gets this answer
        return messages.already_introduced(existing, target, ctx.member)
    intros.check_target(ctx.member, target, ctx.now())
    reason = _reason(raw_reason)
    if len(reason) < intros.MIN_REASON_CHARS:
        await intros.check_no_open_request(ctx.core, ctx.member, target)  # before asking for a reason it could not use
        return messages.ask_for_reason(target, reason)
    outcome = await intros.request_introduction(
        ctx.core, ctx.member, target, reason, platform=ctx.message.platform, notices=NOTICES
    )
    if outcome.existing:
        return messages.already_introduced(outcome.introduction, target, ctx.member)
    return messages.request_sent(outcome, target, ctx.member)


async def _answer(ctx: CommandContext, action: str) -> Reply:
    intro_id = _intro_id(ctx.args[1:], f"intro {action} 12")
    if action == "accept":
        return messages.accepted(await intros.accept(ctx.core, ctx.member, intro_id, notices=NOTICES), ctx.member)
    answer = await intros.decline(ctx.core, ctx.member, intro_id)
    return messages.declined(answer, ctx.member, not_now=action == "notnow")


async def _met(ctx: CommandContext) -> Reply:
    args = ctx.args[1:]
    intro_id = _intro_id(args, "intro met 12 yes")
    answer = args[1].lower() if len(args) > 1 else ""
    if answer not in _YES | _NO:
        raise UserError("Did you meet? Answer yes or no.", hint=f"For example `intro met {intro_id} yes`.")
    return messages.meeting_noted(await outcomes.record_meeting(ctx.core, ctx.member, intro_id, met=answer in _YES))


async def _rate(ctx: CommandContext) -> Reply:
    args = ctx.args[1:]
    intro_id = _intro_id(args, "intro rate 12 4")
    rating = parse_count(args[1]) if len(args) >= 2 else None
    if rating is None:
        raise UserError("How useful was it, from 1 to 5?", hint=f"For example `intro rate {intro_id} 4`.")
    await outcomes.rate(ctx.core, ctx.member, intro_id, rating)
    return messages.rated(intro_id, rating)


async def _take_back(ctx: CommandContext) -> Reply:
    intro_id = _intro_id(ctx.args[1:], "intro withdraw 12")
    return messages.taken_back(*await take_back(ctx.core, ctx.member, intro_id))


async def _pause(ctx: CommandContext) -> Reply:
    args = ctx.args[1:]
    weeks = parse_count(args[0].lower().removesuffix("w")) if args else None
    if weeks is None:
        raise UserError("For how many weeks?", hint="For example `intro pause 4` (1 to 52 weeks).")
    return messages.paused(await pausing.pause(ctx.core, ctx.member, weeks), ctx.member)


async def _resume(ctx: CommandContext) -> Reply:
    return messages.resumed(await pausing.resume(ctx.core, ctx.member))


async def _list(ctx: CommandContext) -> Reply:
    return messages.listing(await listing.list_for(ctx.core, ctx.member), ctx.member, ctx.now())


def _answering(action: str) -> SubcommandHandler:
    return lambda ctx, _words: _answer(ctx, action)


FEATURE.command_with_subcommands(
    "intro",
    summary="Ask for an introduction, answer one, or say how it went",
    usage="intro @member <why> | intro list",
    help=(
        "Ask me to introduce you to another member: they get a private message with your profile and your "
        "reason, and can accept, decline or say not now. If they accept I introduce you both; if not, you are "
        "never told why — the request simply closes. Requests without an answer close after a few days (7 unless configured).\n"
        "After the introduction I ask you both whether you met and how useful it was (1 to 5); a rating is "
        "for a meeting, so after a \"not met\" say `intro met <id> yes` first. Asking again for someone "
        "you were already introduced to shows that introduction.\n"
        "Name the member by @mention, display name or `member:<id>`; when a name fits several members I ask "
        "which one, showing their organisation and country.\n"
        "`intro withdraw <id>` takes back a request of yours still waiting for an answer.\n"
        "`intro pause <weeks>` stops new requests to you for a while; `intro resume` ends the pause.\n"
        "All forms: `intro @member <why>`, `intro list`, `intro accept|decline|notnow <id>`, `intro withdraw <id>`, "
        "`intro met <id> yes|no`, `intro rate <id> 1-5`, `intro pause <weeks>`, `intro resume`."
    ),
    examples=(
        "intro @wanjiru I'm setting up a school-food pilot and would love to hear about yours",
        "intro list",
        "intro accept 12",
        "intro met 12 yes",
        "intro rate 12 4",
        "intro pause 4",
    ),
    aliases=("introduce",),
    subcommands=(
        Subcommand("list", context_only(_list), "Your introductions: asked of you, made, and requested"),
        Subcommand("accept", _answering("accept"), "Accept an introduction asked of you", "<id>"),
        Subcommand("decline", _answering("decline"), "Decline it (they are never told why)", "<id>"),
        Subcommand("notnow", _answering("notnow"), "Not now: decline it for the moment", "<id>",
                   aliases=("not-now", "later")),
        Subcommand("withdraw", context_only(_take_back), "Take back a request of yours still waiting", "<id>",
                   aliases=("cancel",)),
        Subcommand("met", context_only(_met), "Say whether you met", "<id> yes|no"),
        Subcommand("rate", context_only(_rate), "How useful the introduction was", "<id> 1-5"),
        Subcommand("pause", context_only(_pause), "Stop new requests to you for a while", "<weeks>"),
        Subcommand("resume", context_only(_resume), "End the pause"),
    ),
    default="list",
    otherwise=_request,  # `intro @member <why>`
)


# --- scheduled jobs: the service decides and sends once; these views word what is sent -------------


@FEATURE.job(intros.EXPIRE_JOB, rerun_safe=True)
async def _expire_job(core: Runtime, job: Job) -> None:
    await intros.close_expired_request(core, job, notices=NOTICES)


@FEATURE.job(intros.FOLLOWUP_JOB, rerun_safe=True)
async def _followup_job(core: Runtime, job: Job) -> None:
    await intros.follow_up(core, job, notices=NOTICES)
