"""`intro`: ask for an introduction, answer one, report how it went, pause requests, list yours."""

from __future__ import annotations

import shlex

from bot.commands import Subcommand, SubcommandHandler, command_with_subcommands, context_only
from bot.context import CommandContext
from bot.intros import service as intros
from bot.intros import views as messages
from bot.members.service import AmbiguousMember, find_referenced_members
from bot.reply import Button, Form, FormField, Reply, Section
from config.errors import UserError

_YES = {"yes", "y", "true", "met"}
_NO = {"no", "n", "false", "not", "notyet"}


def _intro_id(args: list[str], usage: str) -> int:
    if not args:
        raise UserError(
            "Which introduction? Give its number.", hint=f"For example `{usage}`; `intro list` shows yours."
        )
    raw = args[0].removeprefix("#")
    if not raw.isdigit() or len(raw) > 12:
        raise UserError(f"“{args[0][:20]}” is not an introduction number.", hint=f"For example `{usage}`.")
    return int(raw)


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


def _ask_for_reason(target_id: int, name: str, given: str) -> Reply:
    command_text = f"intro member:{target_id}"
    prompt = (
        f"Why would you like to meet {name}? A sentence helps them say yes"
        + (f" (“{messages.safe_text(given)}” is a bit short)." if given else ".")
    )
    return Reply(
        text=f"{prompt}\nReply with `{command_text} <your reason>`.",
        form=Form(
            title="Introduction request",
            command=command_text,
            fields=[
                FormField(
                    "reason",
                    f"Why would you like to meet {name}?"[:45],
                    placeholder="What you are working on and what you hope to learn",
                    multiline=True,
                    max_length=intros.MAX_REASON_CHARS,
                )
            ],
            submit_label="Send request",
        ),
        private=True,
    )


async def _request(ctx: CommandContext) -> Reply:
    token, raw_reason = split_target(ctx.args_text)
    async with ctx.db.session() as session:
        candidates = await find_referenced_members(session, ctx.message, token)
    if len(candidates) > 1:  # never yourself when someone else answers to the name too
        candidates = [member for member in candidates if member.id != ctx.member.id]
    if len(candidates) > 1:
        reason = " ".join(raw_reason.split())
        return AmbiguousMember(token, candidates).ask(lambda member: f"intro member:{member.id} {reason}".strip())
    target = candidates[0] if candidates else None
    if target is None:
        shown = token if len(token) <= 40 else token[:40] + "…"
        raise UserError(
            f"I don't know a member “{messages.safe_text(shown)}”.",
            hint="Name them with their @mention or display name; they need to have used the bot at least once. "
            "`experts <topic>` finds people to meet.",
        )
    existing = await intros.existing_introduction(ctx.core, ctx.member, target)
    if existing is not None:  # before any other check: a paused or short-reason request still gets this answer
        return _already_introduced(ctx, existing, target)
    intros.check_target(ctx.member, target, ctx.now())
    reason = _reason(raw_reason)
    if len(reason) < intros.MIN_REASON_CHARS:
        return _ask_for_reason(target.id, target.display_name, reason)
    outcome = await intros.request_introduction(ctx.core, ctx.member, target, reason, platform=ctx.message.platform)
    intro = outcome.introduction
    if outcome.existing:
        return _already_introduced(ctx, intro, target)
    if outcome.delivered:
        text = f"I've asked {target.display_name} (request #{intro.id}). I'll let you know what happens."
    else:
        text = (
            f"I've recorded your request to {target.display_name} (#{intro.id}), but I can't message them "
            "right now; they'll see it in `intro list`."
        )
    context = f"The request stays open until {messages.closes(intro, ctx.member)}."
    if not (ctx.member.organisation_id and ctx.member.sector and ctx.member.country):
        context += " Tip: a complete `profile` (organisation, sector, country) helps people say yes."
    return Reply(text=text, sections=[Section(context=context)], private=True, tone="success")


def _already_introduced(ctx: CommandContext, intro, target) -> Reply:  # noqa: ANN001 - Introduction, Member
    status = {intros.MET: " You told me you met.", intros.NOT_MET: " You haven't met yet."}.get(intro.state, "")
    buttons = [] if intro.state == intros.MET else [Button("We met", f"intro met {intro.id} yes")]
    return Reply(
        text=f"You and {target.display_name} were already introduced on "
        f"{messages.day(intro.responded_at, ctx.member)} (introduction #{intro.id}).{status}",
        sections=[Section(context="No new request was sent. `intro list` shows your introductions.")],
        buttons=buttons,
        private=True,
    )


async def _answer(ctx: CommandContext, action: str) -> Reply:
    intro_id = _intro_id(ctx.args[1:], f"intro {action} 12")
    if action == "accept":
        text = await intros.accept(ctx.core, ctx.member, intro_id)
        return Reply(text=text, private=True, tone="success")
    text = await intros.decline(ctx.core, ctx.member, intro_id, not_now=action == "notnow")
    buttons = []
    if action == "notnow":
        text += " Busy at the moment? You can pause new requests."
        buttons = [Button("Pause 2 weeks", "intro pause 2"), Button("Pause 4 weeks", "intro pause 4")]
    return Reply(text=text, buttons=buttons, private=True)


async def _met(ctx: CommandContext) -> Reply:
    args = ctx.args[1:]
    intro_id = _intro_id(args, "intro met 12 yes")
    answer = args[1].lower() if len(args) > 1 else ""
    if answer not in _YES | _NO:
        raise UserError("Did you meet? Answer yes or no.", hint=f"For example `intro met {intro_id} yes`.")
    text, offer_rating = await intros.record_meeting(ctx.core, ctx.member, intro_id, met=answer in _YES)
    return Reply(text=text, buttons=messages.rating_buttons(intro_id) if offer_rating else [], private=True)


async def _rate(ctx: CommandContext) -> Reply:
    args = ctx.args[1:]
    intro_id = _intro_id(args, "intro rate 12 4")
    if len(args) < 2 or not args[1].isdigit():
        raise UserError("How useful was it, from 1 to 5?", hint=f"For example `intro rate {intro_id} 4`.")
    text = await intros.rate(ctx.core, ctx.member, intro_id, int(args[1]))
    return Reply(text=text, private=True, tone="success")


async def _pause(ctx: CommandContext) -> Reply:
    args = ctx.args[1:]
    raw = args[0].lower().removesuffix("w") if args else ""
    if not raw.isdigit():
        raise UserError("For how many weeks?", hint="For example `intro pause 4` (1 to 52 weeks).")
    until = await intros.pause(ctx.core, ctx.member, int(raw))
    return Reply(
        text=f"Paused: nobody can ask you for an introduction until {messages.day(until, ctx.member)}. "
        "Requests already sent to you stay open. `intro resume` ends the pause early.",
        private=True,
        tone="success",
    )


async def _resume(ctx: CommandContext) -> Reply:
    if await intros.resume(ctx.core, ctx.member):
        return Reply(text="Welcome back: members can ask you for introductions again.", private=True, tone="success")
    return Reply(text="You weren't paused; members can already ask you for introductions.", private=True)


def _requester_view(intro, reader, now) -> str:  # noqa: ANN001 - an Introduction, a Member and a datetime
    # A declined request reads like an unanswered one until it closes (the requester must not tell them apart).
    if intro.state in (intros.REQUESTED, intros.DECLINED) and intro.expires_at and intro.expires_at > now:
        return f"waiting for an answer, open until {messages.closes(intro, reader)}"
    return "closed without an introduction"


async def _list(ctx: CommandContext) -> Reply:
    listing = await intros.list_for(ctx.core, ctx.member)
    now = ctx.now()
    sections = []
    for intro, other in listing.waiting_for_me:
        name = other.display_name if other else "a former member"
        sections.append(
            Section(
                title=f"#{intro.id} · {name} would like to meet you",
                text=f"Why: “{messages.safe_text(intro.reason or '')}”",
                context=f"Open until {messages.closes(intro, ctx.member)}",
                buttons=[
                    Button("Accept", f"intro accept {intro.id}", "primary"),
                    Button("Decline", f"intro decline {intro.id}", "danger"),
                    Button("Not now", f"intro notnow {intro.id}"),
                ],
            )
        )
    for intro, other in listing.connected:
        name = other.display_name if other else "a former member"
        mine = intro.requester_usefulness if intro.requester_id == ctx.member.id else intro.target_usefulness
        status = {intros.ACCEPTED: "", intros.MET: " · you met", intros.NOT_MET: " · not met (yet)"}[intro.state]
        buttons = []
        if intro.state != intros.MET:
            buttons.append(Button("We met", f"intro met {intro.id} yes"))
        if mine is None and intro.state != intros.NOT_MET:  # a rating is for a meeting; "We met" comes first
            buttons.extend(messages.rating_buttons(intro.id))
        rated = f" · your rating {mine}/5" if mine is not None else ""
        sections.append(
            Section(
                title=f"#{intro.id} · {name}",
                text=f"introduced {messages.day(intro.responded_at, ctx.member)}{status}{rated}",
                buttons=buttons,
            )
        )
    for intro, other in listing.my_requests:
        name = other.display_name if other else "a former member"
        sections.append(
            Section(title=f"#{intro.id} · you asked to meet {name}", text=_requester_view(intro, ctx.member, now))
        )
    if not sections:
        return Reply(
            text="No introductions yet. Ask for one with `intro @name <why you'd like to meet>`.", private=True
        )
    return Reply(text="Your introductions, newest first.", sections=sections, private=True)


def _answering(action: str) -> SubcommandHandler:
    return lambda ctx, _words: _answer(ctx, action)


command_with_subcommands(
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
        "`intro pause <weeks>` stops new requests to you for a while; `intro resume` ends the pause.\n"
        "All forms: `intro @member <why>`, `intro list`, `intro accept|decline|notnow <id>`, "
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
        Subcommand("met", context_only(_met), "Say whether you met", "<id> yes|no"),
        Subcommand("rate", context_only(_rate), "How useful the introduction was", "<id> 1-5"),
        Subcommand("pause", context_only(_pause), "Stop new requests to you for a while", "<weeks>"),
        Subcommand("resume", context_only(_resume), "End the pause"),
    ),
    default="list",
    otherwise=_request,  # `intro @member <why>`
)
