"""The answers to `intro` commands (the messages the flow sends on its own are in `notices`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.intros import service as intros
from bot.intros.dates import closes, closing_time, day
from bot.intros.errors import (
    AlreadyAsked,
    AskedTwiceAtOnce,
    DidNotGoAhead,
    IntroRefused,
    NoIntroductionForYou,
    NoLongerOpen,
    NoRequestForYou,
    NoRequestOfYours,
    PauseOutOfRange,
    RatingOutOfRange,
    RatingWithoutMeeting,
    ReasonTooLong,
    SelfIntroduction,
    TargetAskedFirst,
    TargetIsBot,
    TargetPaused,
    TargetTakesNoRequests,
    TooManyOpenRequests,
)
from bot.intros.listing import Listing
from bot.intros.outcomes import MeetingNoted
from bot.intros.service import Answered, RequestOutcome
from bot.reply import Button, Form, FormField, Reply, Section
from bot.sanitize import safe_text
from config.errors import RefusalWording, WordedError
from storage.models import Introduction, Member


def member_name(member: Member | None) -> str:
    return member.display_name if member is not None else "a former member"


def rating_buttons(intro_id: int) -> list[Button]:
    return [Button(str(score), f"intro rate {intro_id} {score}") for score in range(1, 6)]


# --- answers to `intro` commands --------------------------------------------------------------------


def ask_for_reason(target: Member, given: str) -> Reply:
    command_text = f"intro member:{target.id}"
    name = target.display_name
    prompt = (
        f"Why would you like to meet {name}? A sentence helps them say yes"
        + (f" (“{safe_text(given)}” is a bit short)." if given else ".")
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
                    value=given,  # the member's own start ("kiosks"), to go on from, not to type again
                )
            ],
            submit_label="Send request",
            note=f"“{safe_text(given)}” is a bit short: a sentence helps {name} say yes." if given else "",
        ),
        private=True,
    )


def request_sent(outcome: RequestOutcome, target: Member, reader: Member) -> Reply:
    intro = outcome.introduction
    if outcome.delivered:
        text = f"I've asked {target.display_name} (request #{intro.id}). I'll let you know what happens."
    else:
        # No account on a platform the bot can reach now (an expert known only from the knowledge folder,
        # or from another platform), or their direct messages are closed: say so, promise nothing more.
        text = (
            f"I've recorded your request to {target.display_name} (#{intro.id}), but I couldn't message them: "
            "they may have no account here that I can reach. They'll see it in `intro list` if they use the "
            "bot before it closes; you may also contact them another way."
        )
    context = f"The request stays open until {closes(intro, reader)}."
    if not (reader.organisation_id and reader.sector and reader.country):
        context += " Tip: a complete `profile` (organisation, sector, country) helps people say yes."
    return Reply(text=text, sections=[Section(context=context)], private=True, tone="success")


def already_introduced(intro: Introduction, target: Member, reader: Member) -> Reply:
    status = {intros.MET: " You told me you met.", intros.NOT_MET: " You haven't met yet."}.get(intro.state, "")
    buttons = [] if intro.state == intros.MET else [Button("We met", f"intro met {intro.id} yes")]
    return Reply(
        text=f"You and {target.display_name} were already introduced on "
        f"{day(intro.responded_at, reader)} (introduction #{intro.id}).{status}",
        sections=[Section(context="No new request was sent. `intro list` shows your introductions.")],
        buttons=buttons,
        private=True,
    )


def _requester_left(intro: Introduction) -> bool:
    # Withdrawn when they erased their data; a request of theirs still open with no requester was left over
    # from before erasure closed requests, and is refused all the same.
    return intro.state == intros.WITHDRAWN or (intro.state == intros.REQUESTED and intro.requester_id is None)


def _not_open(intro: Introduction, reader: Member, *, accepting: bool) -> str:
    if _requester_left(intro) and accepting:
        return "Thanks — but the member who asked has since left, so there is nobody to introduce you to."
    if _requester_left(intro):
        return f"The member who asked has since left, so request #{intro.id} is closed; nothing more to do."
    if intro.state == intros.TAKEN_BACK:
        return f"The member who asked took request #{intro.id} back, so there is nothing to answer."
    if intro.state in (intros.ACCEPTED, intros.MET, intros.NOT_MET):
        return f"You already accepted request #{intro.id} on {day(intro.responded_at, reader)}; nothing more to do."
    if intro.state == intros.DECLINED:
        return f"You already answered request #{intro.id}; it is closed."
    return f"Request #{intro.id} closed on {closes(intro, reader)} without an answer."


_HOW_INTRODUCED = {
    intros.IN_A_GROUP: "I've started a conversation with you both.",
    intros.DIRECT_TO_EACH: "I've sent each of you an introduction by direct message.",
    intros.NOT_BOTH_REACHED: "I couldn't reach you both by direct message; `intro list` shows the introduction.",
}


def accepted(answer: Answered, reader: Member) -> Reply:
    if not answer.moved:
        text = _not_open(answer.introduction, reader, accepting=True)
    else:
        text = f"Thanks for accepting! {_HOW_INTRODUCED[answer.delivery]}"
    return Reply(text=text, private=True, tone="success")


def declined(answer: Answered, reader: Member, *, not_now: bool) -> Reply:
    if not answer.moved:
        text = _not_open(answer.introduction, reader, accepting=False)
    else:
        name = answer.requester.display_name if answer.requester else "The member who asked"
        if not_now:
            text = f"No problem. {name} won't be told you said no; to them it simply closes without an introduction."
        else:
            text = f"Declined. {name} won't be told, and never sees a reason."
    buttons = []
    if not_now:
        text += " Busy at the moment? You can pause new requests."
        buttons = [Button("Pause 2 weeks", "intro pause 2"), Button("Pause 4 weeks", "intro pause 4")]
    return Reply(text=text, buttons=buttons, private=True)


def meeting_noted(noted: MeetingNoted) -> Reply:
    text = _met_text(noted) if noted.met else _not_met_text(noted)
    offer_rating = noted.met and not noted.rated
    return Reply(text=text, buttons=rating_buttons(noted.intro_id) if offer_rating else [], private=True)


def _met_text(noted: MeetingNoted) -> str:
    how_useful = "" if noted.rated else " How useful was it?"
    text = ("Wonderful — noted that you met." if noted.changed else "Already noted that you met — thank you.")
    return text + how_useful


def _not_met_text(noted: MeetingNoted) -> str:
    if noted.changed:
        return f"Thanks for letting me know. If you do meet later, `intro met {noted.intro_id} yes` records it."
    if noted.state == intros.MET:
        return "One of you already told me you met, so I'll keep that."
    return "Already noted that you haven't met (yet)."


def rated(intro_id: int, score: int) -> Reply:
    return Reply(text=f"Thanks — you rated introduction #{intro_id} {score} out of 5.", private=True, tone="success")


def paused(until: datetime, reader: Member) -> Reply:
    return Reply(
        text=f"Paused: nobody can ask you for an introduction until {day(until, reader)}. "
        "Requests already sent to you stay open. `intro resume` ends the pause early.",
        private=True,
        tone="success",
    )


def resumed(was_paused: bool) -> Reply:
    if was_paused:
        return Reply(text="Welcome back: members can ask you for introductions again.", private=True, tone="success")
    return Reply(text="You weren't paused; members can already ask you for introductions.", private=True)


def _requester_view(intro: Introduction, reader: Member, now: datetime) -> str:
    # A declined request reads like an unanswered one until it closes (the requester must not tell them apart).
    if intro.state in (intros.REQUESTED, intros.DECLINED) and intro.expires_at and intro.expires_at > now:
        return f"waiting for an answer, open until {closes(intro, reader)}"
    if intro.state == intros.TAKEN_BACK:
        return "you took it back"
    return "closed without an introduction"


def taken_back(intro: Introduction, target: Member | None) -> Reply:
    return Reply(
        text=f"Done: your request #{intro.id} to {member_name(target)} is taken back. If they answer it now, "
        "they're told you took it back; nothing else is sent.",
        private=True,
        tone="success",
    )


def _waiting_section(intro: Introduction, other: Member | None, reader: Member) -> Section:
    return Section(
        title=f"#{intro.id} · {member_name(other)} would like to meet you",
        text=f"Why: “{safe_text(intro.reason or '')}”",
        context=f"Open until {closes(intro, reader)}",
        buttons=[
            Button("Accept", f"intro accept {intro.id}", "primary"),
            Button("Decline", f"intro decline {intro.id}", "danger"),
            Button("Not now", f"intro notnow {intro.id}"),
        ],
    )


def _closed_for_me_section(intro: Introduction, other: Member | None, reader: Member) -> Section:
    """A request to the reader that closed without an introduction; only the reader sees how."""
    if intro.state == intros.DECLINED:
        text = f"you said no on {day(intro.responded_at, reader)} ({member_name(other)} is not told)"
    elif intro.state == intros.TAKEN_BACK:
        text = f"{member_name(other)} took it back"
    else:
        text = f"closed unanswered on {day(intro.expires_at, reader)}"
    return Section(title=f"#{intro.id} · {member_name(other)} asked to meet you", text=text)


def _connected_buttons(intro: Introduction, mine: int | None) -> list[Button]:
    buttons = []
    if intro.state != intros.MET:
        buttons.append(Button("We met", f"intro met {intro.id} yes"))
    if mine is None and intro.state != intros.NOT_MET:  # a rating is for a meeting; "We met" comes first
        buttons.extend(rating_buttons(intro.id))
    return buttons


def _connected_section(intro: Introduction, other: Member | None, reader: Member) -> Section:
    mine = intro.requester_usefulness if intro.requester_id == reader.id else intro.target_usefulness
    status = {intros.ACCEPTED: "", intros.MET: " · you met", intros.NOT_MET: " · not met (yet)"}[intro.state]
    shown_rating = f" · your rating {mine}/5" if mine is not None else ""
    return Section(
        title=f"#{intro.id} · {member_name(other)}",
        text=f"introduced {day(intro.responded_at, reader)}{status}{shown_rating}",
        buttons=_connected_buttons(intro, mine),
    )


def listing(found: Listing, reader: Member, now: datetime) -> Reply:
    sections = [_waiting_section(intro, other, reader) for intro, other in found.waiting_for_me]
    sections += [_connected_section(intro, other, reader) for intro, other in found.connected]
    for intro, other in found.my_requests:
        sections.append(
            Section(title=f"#{intro.id} · you asked to meet {member_name(other)}", text=_requester_view(intro, reader, now))
        )
    sections += [_closed_for_me_section(intro, other, reader) for intro, other in found.closed_for_me]
    if not sections:
        return Reply(
            text="No introductions yet. Ask for one with `intro @name <why you'd like to meet>`.", private=True
        )
    return Reply(text="Your introductions, newest first.", sections=sections, private=True)


# --- what the introduction service refused --------------------------------------------------------


_Wording = Callable[[Any], tuple[str, str | None]]
# Each refusal's message and hint, by the kind of refusal.
_REFUSAL_WORDING: dict[type[IntroRefused], _Wording] = {
    ReasonTooLong: lambda e: (f"Please keep the reason under {e.limit} characters (it has {e.length}).", None),
    SelfIntroduction: lambda e: ("That's you! Introductions are between two different members.", None),
    TargetIsBot: lambda e: (f"{e.name} is a bot; introductions are between people.", None),
    TargetTakesNoRequests: lambda e: (
        f"{e.name} has chosen not to receive introduction requests.",
        "Try `experts <topic>` to find someone else.",
    ),
    TargetPaused: lambda e: (
        f"{e.name} has paused introduction requests for now.",
        "Try again in a few weeks, or find someone else with `experts <topic>`.",
    ),
    TargetAskedFirst: lambda e: (
        f"{e.name} has already asked to meet you.",
        f"Accept their request with `intro accept {e.their_request_id}`.",
    ),
    AlreadyAsked: lambda e: (
        f"You already asked to meet {e.name} (request #{e.request_id}).",
        f"It stays open until {closing_time(e.closes_at, e.requester)}.",
    ),
    TooManyOpenRequests: lambda e: (
        f"You have {e.open_count} introduction requests waiting for an answer; the limit is {e.limit}.",
        f"See them with `intro list`; each closes after {e.expiry_days} days if nobody answers.",
    ),
    AskedTwiceAtOnce: lambda e: (f"You already asked to meet {e.name}; I'll let you know.", None),
    NoRequestForYou: lambda e: (
        f"I can't find an introduction request #{e.intro_id} addressed to you.",
        "`intro list` shows yours.",
    ),
    NoIntroductionForYou: lambda e: (f"I can't find introduction #{e.intro_id} for you.", "`intro list` shows yours."),
    NoRequestOfYours: lambda e: (f"I can't find a request #{e.intro_id} of yours.", "`intro list` shows yours."),
    NoLongerOpen: lambda e: (
        f"Request #{e.intro_id} was accepted: you're already introduced." if e.introduced
        else f"Request #{e.intro_id} is closed already; there is nothing to take back.",
        "`intro list` shows yours.",
    ),
    DidNotGoAhead: lambda e: (f"Introduction #{e.intro_id} didn't go ahead, so there is no meeting to record.", None),
    RatingOutOfRange: lambda e: ("Ratings go from 1 (not useful) to 5 (very useful).", None),
    RatingWithoutMeeting: lambda e: (
        f"I have introduction #{e.intro_id} down as “not met (yet)”, and a rating is for a meeting.",
        f"If you have met since, tell me with `intro met {e.intro_id} yes`, then rate it.",
    ),
    PauseOutOfRange: lambda e: (f"Pause for 1 to {e.max_weeks} weeks, for example `intro pause 4`.", None),
}


REFUSALS: Mapping[type[WordedError], RefusalWording] = _REFUSAL_WORDING
