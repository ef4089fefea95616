"""What asking the community says: the question as posted, answers told to the asker, the request to keep an
answer as knowledge, the note to members whose expertise matches (the service's `CommunityNotices`,
`NOTICES`), and the answers to `community` commands."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.audit import AuditWording
from bot.community import service as community
from bot.community.asking import Asked
from bot.community.detect import language_name
from bot.community.errors import (
    AlreadyHelpful,
    AnswerTooLong,
    ChannelSetAtOnce,
    CommunityRefused,
    NoAnswerOfYours,
    NoAnswerText,
    NoQuestionText,
    NoSuchAnswer,
    NoSuchQuestion,
    NotHelpfulYet,
    NotTheAsker,
    OwnQuestion,
    QuestionNotOpen,
    QuestionRemoved,
    QuestionTooLong,
)
from bot.community.keeping import KeepDecision, MarkedHelpful
from bot.community.service import Board, BoardEntry, CommunityAudit, CommunityNotices, QuestionView
from bot.reply import Button, Field, Form, FormField, Reply, Section
from bot.sanitize import safe_text
from config.errors import RefusalWording, UserError, WordedError, word_refusal
from config.vocabulary import SECTORS, THEMES, country_name
from storage.models import CommunityAnswer, CommunityQuestion, Member

PREVIEW_CHARS = 160


def _short(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(safe_text(text).split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + "…"


def _where(member: Member | None, snapshot: dict) -> str:
    """Organisation and country: from the profile as it is, else as it was when the text was written."""
    organisation = (member.organisation.name if member is not None and member.organisation else None) or snapshot.get(
        "organisation"
    )
    country = (member.country if member is not None else None) or snapshot.get("country")
    return ", ".join(part for part in (organisation, country_name(country) if country else None) if part)


def _who(member: Member | None, snapshot: dict | None, *, anonymous: bool = False) -> str:
    """"Ana (Nordhavn Municipality, Denmark)", or who is left to say."""
    if anonymous:
        return "A member (anonymous)"
    if member is None:  # erased: where they worked could still point at them (a one-person organisation)
        return "A former member"
    where = _where(member, snapshot or {})
    return f"{member.display_name} ({where})" if where else member.display_name


def _themes(question: CommunityQuestion) -> str:
    return ", ".join(THEMES.get(t, t) for t in question.themes or []) or "none detected"


def _question_fields(question: CommunityQuestion, asker: Member | None) -> list[Field]:
    snapshot = question.asker_snapshot or {}
    fields = [Field("Asked by", _who(asker, snapshot, anonymous=question.anonymous))]
    if not question.anonymous and asker is not None:
        sector = asker.sector or snapshot.get("sector")
        if sector:
            fields.append(Field("Sector", SECTORS.get(sector, sector)))
    fields.append(Field("Themes", _themes(question)))
    fields.append(Field("Language", language_name(question.language)))
    fields.append(Field("Closest knowledge", "; ".join(question.closest) if question.closest else "nothing close"))
    return fields


def _answer_button(question_id: int) -> str:
    return f"community answer {question_id} "


# --- notices (CommunityNotices) ---------------------------------------------------------------------


class CommunityNoticeWording:
    """Words each message the community service sends on its own; `NOTICES` is the one the commands pass in."""

    def question_post(self, question: CommunityQuestion, asker: Member | None) -> Reply:
        return Reply(
            text=f"Question to the community #{question.id}: {_short(question.text, 150)}",
            sections=[
                Section(title=f"#{question.id} · {_short(question.text, 80)}", text=safe_text(question.text),
                        fields=_question_fields(question, asker)),
                Section(context=(
                    "Know something that helps? Reply in this thread, or type "
                    f"`community answer {question.id} <your answer>`. A helpful answer can become knowledge "
                    "for the next person, if its author agrees."
                )),
            ],
        )

    def answer_for_asker(self, question: CommunityQuestion, answer: CommunityAnswer, author: Member) -> Reply:
        return Reply(
            text=f"{_who(author, answer.author_snapshot)} answered your question #{question.id}.",
            sections=[
                Section(title=f"Your question: {_short(question.text, 120)}",
                        text=f"Answer #{answer.id}: {safe_text(answer.text)}"),
                Section(
                    context=f"Did it help? Marking it helpful thanks {author.display_name} and may make it knowledge "
                            f"for the next person. `community show {question.id}` shows every answer.",
                    buttons=[Button("Helpful", f"community helpful {question.id} {answer.id}", "primary")],
                ),
            ],
            direct=True,
        )

    def keep_request(self, question: CommunityQuestion, answer: CommunityAnswer, asker: Member | None) -> Reply:
        who = asker.display_name if asker is not None else "The member who asked"
        return Reply(
            text=f"{who} marked your answer #{answer.id} to question #{question.id} as helpful. Thank you!",
            sections=[
                Section(title=f"Question: {_short(question.text, 120)}", text=f"Your answer: {_short(answer.text, 300)}"),
                Section(
                    text=(
                        "May I keep it in the knowledge base? Then `find`, `experts` and `match me` show the question "
                        "and your answer, with your name, organisation and country, to every member, and you are "
                        "findable as an expert for it. You can take it back at any time "
                        f"(`community keep {answer.id} no`)."
                    ),
                    buttons=[
                        Button("Yes, keep it", f"community keep {answer.id} yes", "primary"),
                        Button("No, thanks", f"community keep {answer.id} no"),
                    ],
                ),
            ],
            direct=True,
        )

    def expert_notice(self, question: CommunityQuestion, asker: Member | None, expert: Member) -> Reply:
        return Reply(
            text=f"A question for the community about your expertise (#{question.id}):",
            sections=[
                Section(text=safe_text(question.text), fields=_question_fields(question, asker)),
                Section(
                    context=(
                        f"Answer with `community answer {question.id} <your answer>`. You get these because you "
                        "opted in; `privacy consent community-questions off` stops them."
                    ),
                    buttons=[Button("Show the question", f"community show {question.id}")],
                ),
            ],
            direct=True,
        )

    def answer_refused(self, question_id: int, refused: UserError) -> Reply:
        reason = word_refusal(refused, REFUSALS)
        return Reply(text=f"Your reply to question #{question_id} was not stored as an answer: {reason}", direct=True,
                     tone="warning")


NOTICES: CommunityNotices = CommunityNoticeWording()


# --- answers to commands --------------------------------------------------------------------------


def ask_for_question(field_name: str, draft: str = "") -> Reply:
    """`community ask` alone, or `community ask --edit <question>` (the button of a weak answer to a long
    question): a form for the question, with `draft` filled in."""
    draft = draft[: community.MAX_QUESTION_CHARS]
    if draft:
        # Where no form can open (piped input, a platform without modals) the question must still be there.
        text = (
            "Your question to the community, to change before it is posted. To ask it, type `community ask` "
            "followed by the question as you want it (add `--anonymous` to leave your name out):"
        )
        sections = [Section(text=safe_text(draft))]
    else:
        text = (
            "What would you like to ask the community? Type `community ask <your question>` "
            "(add `--anonymous` to leave your name out)."
        )
        sections = []
    return Reply(
        text=text,
        sections=sections,
        form=Form(
            title="Ask the community",
            command="community ask",
            fields=[FormField(field_name, "Your question", placeholder="What you want to know, and why",
                              multiline=True, max_length=community.MAX_QUESTION_CHARS,
                              value=draft)],
            submit_label="Ask",
        ),
        private=True,
    )


def _where_posted(outcome: Asked) -> str:
    if outcome.posted_in is not None:
        return "I've posted it in the community channel as a thread; replies there are answers."
    if outcome.channel_missing:
        return ("It is on the community board (`community`); no community channel is chosen on this platform yet: "
                "a coordinator can choose one with `community channel here`.")
    return "It is on the community board: `community` lists the open questions."


def asked(outcome: Asked) -> Reply:
    question = outcome.question
    if outcome.existing:
        return Reply(text=f"You already asked this (question #{question.id}); it is still open, so nothing new was "
                     "posted.", buttons=[Button("Show it", f"community show {question.id}")], private=True)
    where = _where_posted(outcome)
    told = (f" I told {outcome.experts_told} member{'s' if outcome.experts_told != 1 else ''} whose expertise "
            "matches.") if outcome.experts_told else ""
    return Reply(
        text=f"Asked the community (question #{question.id}). {where}{told} I'll tell you of each answer.",
        sections=[Section(fields=[
            Field("Shown as", "anonymous" if question.anonymous else "you, with your organisation and country"),
            Field("Themes", _themes(question)),
            Field("Language", language_name(question.language)),
            Field("Closest knowledge", "; ".join(question.closest) if question.closest else "nothing close"),
        ])],
        tone="success",
        private=True,  # in a channel it would name who asked, even anonymously (Slack and Discord show who used it)
    )


def _entry_section(entry: BoardEntry) -> Section:
    q = entry.question
    counts = str(entry.answers)
    if entry.helpful:
        counts += f", {entry.helpful} helpful"
    return Section(
        title=f"#{q.id} · {_short(q.text, 100)}",
        fields=[
            Field("Asked by", _who(entry.asker, q.asker_snapshot, anonymous=q.anonymous)),
            Field("Asked", _day(q.asked_at)),
            Field("Answers", counts),
        ],
        buttons=[Button("Show", f"community show {q.id}")],
    )


def board(found: Board) -> Reply:
    sections = []
    for answer, question in found.awaiting_consent:
        sections.append(
            Section(
                title=f"Waiting for you: may answer #{answer.id} be kept as knowledge?",
                text=f"Question #{question.id}: {_short(question.text, 120)}",
                buttons=[
                    Button("Yes, keep it", f"community keep {answer.id} yes", "primary"),
                    Button("No, thanks", f"community keep {answer.id} no"),
                ],
            )
        )
    sections += [_entry_section(entry) for entry in found.entries]
    if not found.entries:
        text = f"No {found.status} questions to the community." + (
            " Ask one with `community ask <question>`." if found.status == community.OPEN else "")
    else:
        text = f"{'Open' if found.status == community.OPEN else found.status.title()} questions to the community, newest first:"
    sections.append(Section(context="`community show ID` shows a question and its answers; "
                                    "`community answer ID <text>` answers it."))
    return Reply(text=text, sections=sections, private=True)


def _day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"


def _answer_notes(answer: CommunityAnswer) -> str:
    notes = []
    if answer.helpful_at is not None:
        notes.append("marked helpful")
    if answer.keep_state == community.KEPT:
        notes.append("kept as knowledge")
    return f" · {', '.join(notes)}" if notes else ""


def _answer_section(q: CommunityQuestion, answer: CommunityAnswer, author: Member | None, *, mine: bool) -> Section:
    buttons = []
    if mine and answer.helpful_at is None:
        buttons.append(Button("Helpful", f"community helpful {q.id} {answer.id}", "primary"))
    return Section(
        title=f"Answer #{answer.id} by {_who(author, answer.author_snapshot)}",
        text=safe_text(answer.text) or "(text erased)",
        context=f"{_day(answer.answered_at)} · {language_name(answer.language)}" + _answer_notes(answer),
        buttons=buttons,
    )


def question_shown(view: QuestionView, reader: Member) -> Reply:
    q = view.question
    status = {community.OPEN: "open", community.CLOSED: "closed", community.REMOVED: "removed"}[q.status]
    # The question once, in full (the line above names its number).
    sections = [Section(text=safe_text(q.text) or "(text erased)", fields=[*_question_fields(q, view.asker), Field("Status", status)])]
    mine = q.asker_id == reader.id
    sections += [_answer_section(q, answer, author, mine=mine) for answer, author in view.answers]
    if not view.answers:
        sections.append(Section(context="No answers yet."))
    if q.status == community.OPEN and not mine:
        sections.append(Section(context=f"Answer with `community answer {q.id} <your answer>`."))
    return Reply(text=f"Question to the community #{q.id} ({status}):", sections=sections, private=True)


def answered(outcome: community.Answered) -> Reply:
    if outcome.existing:
        return Reply(text=f"That answer to question #{outcome.question.id} is stored already (#{outcome.answer.id}).",
                     private=True)
    told = "I've told the member who asked." if outcome.asker_told else (
        "The member who asked will see it with `community show " f"{outcome.question.id}`.")
    return Reply(text=f"Thanks! Your answer #{outcome.answer.id} to question #{outcome.question.id} is stored. {told}",
                 private=True, tone="success")


def marked_helpful(outcome: MarkedHelpful) -> Reply:
    author = outcome.author
    if author is None:
        text = (f"Marked answer #{outcome.answer.id} as helpful. Its author has since left the community, so it "
                "cannot be kept in the knowledge base.")
    elif outcome.consent_asked:
        text = (f"Marked answer #{outcome.answer.id} as helpful; I've thanked {author.display_name} and asked whether "
                "it may be kept in the knowledge base for the next person.")
    else:
        text = (f"Marked answer #{outcome.answer.id} as helpful. I couldn't message {author.display_name} just now; "
                "they'll see the question about keeping it in `community`.")
    return Reply(text=text, private=True, tone="success")


def keep_decided(decision: KeepDecision) -> Reply:
    answer_id = decision.answer.id
    if not decision.changed:
        state = decision.answer.keep_state
        now = {community.KEPT: "is kept", community.DECLINED: "is not kept", community.WITHDRAWN: "is not kept"}.get(
            state or "", "is unchanged")
        return Reply(text=f"Answer #{answer_id} {now} in the knowledge base already; nothing changed.", private=True)
    if decision.kept:
        return Reply(
            text=(f"Thank you! Answer #{answer_id} is now in the knowledge base, with your name: `find` shows it to "
                  f"every member, and `experts` finds you for it. `community keep {answer_id} no` takes it back."),
            private=True, tone="success",
        )
    if decision.answer.keep_state == community.WITHDRAWN:
        return Reply(text=f"Done: answer #{answer_id} is no longer in the knowledge base.", private=True, tone="success")
    return Reply(text=f"Understood: answer #{answer_id} stays in the question's thread only, not in the knowledge base.",
                 private=True)


def status_changed(question_id: int, status: str, changed: bool) -> Reply:
    if not changed:
        return Reply(text=f"Question #{question_id} was {status} already; nothing changed.", private=True)
    extra = " Its answers kept as knowledge were taken out of the knowledge base." if status == community.REMOVED else ""
    return Reply(text=f"Question #{question_id} is {status}: it takes no more answers.{extra}", private=True,
                 tone="success")


def channel_set(platform: str, channel_id: str, previous: str | None) -> Reply:
    moved = f" (instead of {previous})" if previous and previous != channel_id else ""
    return Reply(
        text=f"Questions to the community asked on {platform} are posted in this channel from now on{moved}, each "
             "as a thread the bot starts; replies in those threads are answers.",
        private=True, tone="success",
    )


def _worded(words: str):  # noqa: ANN202 - an AuditWording: `words` with the entry's details filled in
    return lambda details, _subject: words.format(question=details.get("question_id"), answer=details.get("answer_id"))


AUDIT_WORDING: dict[str, AuditWording] = {
    CommunityAudit.ASKED: _worded("asked the community (question #{question})"),
    CommunityAudit.ANSWERED: _worded("answered question #{question} (answer #{answer})"),
    CommunityAudit.HELPFUL: _worded("marked answer #{answer} to question #{question} helpful"),
    CommunityAudit.KEPT: _worded("let answer #{answer} be kept as knowledge"),
    CommunityAudit.DECLINED: _worded("chose not to keep answer #{answer} as knowledge"),
    CommunityAudit.WITHDRAWN: _worded("took answer #{answer} out of the knowledge base"),
    CommunityAudit.CLOSED: _worded("closed question #{question}"),
    CommunityAudit.REMOVED: _worded("removed question #{question}"),
    CommunityAudit.CHANNEL: lambda details, _subject: (
        f"chose {details.get('platform')} channel {details.get('channel')} for community questions"
    ),
}


# --- what the community service refused -----------------------------------------------------------


_Wording = Callable[[Any], tuple[str, str | None]]
# Each refusal's message and hint, by the kind of refusal.
_REFUSAL_WORDING: dict[type[CommunityRefused], _Wording] = {
    NoQuestionText: lambda e: (
        f"“{safe_text(e.typed)}” is a bit short for a question to the community: ask it in a sentence, as "
        "members will read it." if e.typed else "What would you like to ask the community? Write the question "
        "after the command.",
        "For example `community ask How did other municipalities reach fathers in parenting programmes?`",
    ),
    QuestionTooLong: lambda e: (
        f"That question is {e.length:,} characters long; questions to the community may have up to "
        f"{e.limit:,}. Please shorten it: nothing was posted.",
        None,
    ),
    NoAnswerText: lambda e: (
        "What is your answer? Write it after the question's number.",
        f"For example `community answer {e.question_id} We worked with the local football clubs…`",
    ),
    AnswerTooLong: lambda e: (
        f"That answer is {e.length:,} characters long; answers may have up to {e.limit:,}. "
        "Please shorten it (or link a document): nothing was stored.",
        None,
    ),
    NoSuchQuestion: lambda e: (
        f"There is no question #{e.question_id} on the community board.", "`community` lists them."
    ),
    QuestionNotOpen: lambda e: (
        f"Question #{e.question_id} is {e.status}, so it takes no more answers.",
        "`community` lists the open questions.",
    ),
    OwnQuestion: lambda e: (
        "That is your own question: answers come from other members.",
        f"To add detail, ask again with `community ask …`; `community show {e.question_id}` shows the answers.",
    ),
    ChannelSetAtOnce: lambda e: ("Someone set the community channel at the same moment; please try again.", None),
    NoSuchAnswer: lambda e: (
        f"Question #{e.question_id} has no answer #{e.answer_id}.",
        f"`community show {e.question_id}` lists its answers with their numbers.",
    ),
    NotTheAsker: lambda e: ("Only the member who asked a question can mark its answers as helpful.", None),
    AlreadyHelpful: lambda e: (f"You have already marked answer #{e.answer_id} as helpful. Thank you!", None),
    NoAnswerOfYours: lambda e: (
        f"I can't find an answer #{e.answer_id} of yours.", "`community` lists what waits for you."
    ),
    NotHelpfulYet: lambda e: (
        f"Answer #{e.answer_id} has not been marked helpful yet; only helpful answers are kept as knowledge.",
        None,
    ),
    QuestionRemoved: lambda e: (
        f"Question #{e.question_id} was removed by a coordinator, so its answers are not kept.", None
    ),
}


REFUSALS: Mapping[type[WordedError], RefusalWording] = _REFUSAL_WORDING
