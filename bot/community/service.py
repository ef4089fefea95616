"""Asking the community: questions members put to each other, answers, and answers that become knowledge.

    question: open -> closed | removed          (coordinators close or remove; nobody answers after that)
    answer:   given -> helpful (the asker says so) -> kept | declined (its author decides) ; kept -> withdrawn

Every transition is one conditional UPDATE, so a double click, a retried delivery or two bot processes
make one change. A thread reply is one answer however often it is delivered: (platform, message id) is
unique. An answer kept as knowledge becomes a document in the same transaction as the consent (the
mechanism of members' own profiles, `knowledge.profiles.sync_document`), so `find`, `experts` and
`match me` return it at once in every process; withdrawing the consent or erasing the member deletes it
in the same way, and an ingest never touches it (its source id is not a file's).

Messages the flow sends on its own (the question posted in the community channel, an answer told to the
asker, the request to keep an answer, a note to members whose expertise matches) are decided and sent
here; their words come from a `CommunityNotices` (`bot.community.views.NOTICES`).

This module holds the rules every step shares, reading questions, answering and what coordinators do;
asking is in `asking`, marking helpful and keeping as knowledge in `keeping`, and what a member's export
and erasure cover in `member_data`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import record_audit
from bot.community.detect import detect_language
from bot.community.errors import (
    AnswerTooLong,
    ChannelSetAtOnce,
    NoAnswerText,
    NoQuestionText,
    NoSuchQuestion,
    OwnQuestion,
    QuestionNotOpen,
    QuestionTooLong,
)
from bot.indicators.exchange_log import cites_source
from bot.indicators.exchanges import (
    COMMUNITY_ANSWER,
    known_and_different,
    profile_snapshot,
    record_exchange,
)
from bot.message import Message
from config.errors import UserError
from knowledge.profiles import ANSWER_SOURCE_PREFIX, sync_document
from storage.models import CommunityAnswer, CommunityChannel, CommunityQuestion, Member

if TYPE_CHECKING:
    from bot.reply import (
        Reply,  # only the type the notices return: the words are the views'
    )
    from bot.runtime import Runtime

OPEN, CLOSED, REMOVED = "open", "closed", "removed"


class CommunityAudit(StrEnum):
    """The audit actions of the community's questions and answers (worded by `bot.community.views`)."""

    ASKED = "community.asked"
    ANSWERED = "community.answered"
    HELPFUL = "community.helpful"
    KEPT = "community.kept"
    DECLINED = "community.declined"
    WITHDRAWN = "community.withdrawn"
    CLOSED = "community.closed"
    REMOVED = "community.removed"
    CHANNEL = "community.channel"
ASKED, KEPT, DECLINED, WITHDRAWN = "asked", "kept", "declined", "withdrawn"
MIN_QUESTION_CHARS = 10
MAX_QUESTION_CHARS = 2000
MAX_ANSWER_CHARS = 3000
CLOSEST_SHOWN = 3
# Members told of a question about their expertise: at most this many per question...
NOTICES_PER_QUESTION = 5
# ...and each member at most `Settings.community_notices_per_week` in any 7 days.
NOTICE_WINDOW = timedelta(days=7)
EXCHANGE_KIND = COMMUNITY_ANSWER
SOURCE_PATH = "community answer"
ANSWER_KIND = "answer"
ERASED_TEXT = ""
# How long keeping an answer waits for its passages' vectors.
KEEP_EMBED_SECONDS = 30.0


class CommunityNotices(Protocol):
    """The messages the flow sends; each returns what a transport sends (a Reply)."""

    def question_post(self, question: CommunityQuestion, asker: Member | None) -> Reply: ...

    def answer_for_asker(self, question: CommunityQuestion, answer: CommunityAnswer, author: Member) -> Reply: ...

    def keep_request(self, question: CommunityQuestion, answer: CommunityAnswer, asker: Member | None) -> Reply: ...

    def expert_notice(self, question: CommunityQuestion, asker: Member | None, expert: Member) -> Reply: ...

    def answer_refused(self, question_id: int, refused: UserError) -> Reply: ...


def answer_source_id(answer_id: int) -> str:
    return f"{ANSWER_SOURCE_PREFIX}{answer_id}"


def _clean(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()


def check_question(text: str) -> str:
    cleaned = _clean(text)
    if len(cleaned) < MIN_QUESTION_CHARS:
        raise NoQuestionText(cleaned)
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionTooLong(len(cleaned), MAX_QUESTION_CHARS)
    return cleaned


def check_answer(text: str, question_id: int) -> str:
    cleaned = _clean(text)
    if not cleaned:
        raise NoAnswerText(question_id)
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise AnswerTooLong(len(cleaned), MAX_ANSWER_CHARS)
    return cleaned


# --- reading ----------------------------------------------------------------------------------------


@dataclass
class QuestionView:
    """A question with its answers and the people behind them, as far as the reader may see them."""

    question: CommunityQuestion
    asker: Member | None
    answers: list[tuple[CommunityAnswer, Member | None]] = field(default_factory=list)


async def load_question(session: AsyncSession, question_id: int) -> CommunityQuestion | None:
    return await session.get(CommunityQuestion, question_id, populate_existing=True)


async def visible_question(session: AsyncSession, question_id: int, *, coordinator: bool = False) -> CommunityQuestion:
    question = await load_question(session, question_id)
    if question is None or (question.status == REMOVED and not coordinator):
        raise NoSuchQuestion(question_id)
    return question


async def members_by_id(session: AsyncSession, ids: set[int | None]) -> dict[int, Member]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = (await session.execute(select(Member).where(Member.id.in_(wanted)))).scalars().all()
    return {member.id: member for member in rows}


async def question_view(core: Runtime, question_id: int, *, coordinator: bool = False) -> QuestionView:
    async with core.db.session() as session:
        question = await visible_question(session, question_id, coordinator=coordinator)
        answers = (
            await session.execute(
                select(CommunityAnswer)
                .where(CommunityAnswer.question_id == question_id)
                .order_by(CommunityAnswer.answered_at, CommunityAnswer.id)
            )
        ).scalars().all()
        people = await members_by_id(session, {question.asker_id, *(a.author_id for a in answers)})
    return QuestionView(
        question, people.get(question.asker_id), [(a, people.get(a.author_id)) for a in answers]
    )


@dataclass
class BoardEntry:
    question: CommunityQuestion
    asker: Member | None
    answers: int
    helpful: int


@dataclass
class Board:
    entries: list[BoardEntry]
    # Answers of the reader's that were marked helpful and wait for their decision to keep them.
    awaiting_consent: list[tuple[CommunityAnswer, CommunityQuestion]]
    status: str


async def board(core: Runtime, member: Member, *, status: str = OPEN, limit: int = 20) -> Board:
    async with core.db.session() as session:
        return Board(await _entries(session, status, limit), await _awaiting(session, member.id), status)


async def _entries(session: AsyncSession, status: str, limit: int) -> list[BoardEntry]:
    counts = (
        select(
            CommunityAnswer.question_id,
            func.count(CommunityAnswer.id).label("answers"),
            func.count(CommunityAnswer.helpful_at).label("helpful"),
        )
        .group_by(CommunityAnswer.question_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(CommunityQuestion, counts.c.answers, counts.c.helpful)
            .outerjoin(counts, counts.c.question_id == CommunityQuestion.id)
            .where(CommunityQuestion.status == status)
            .order_by(CommunityQuestion.asked_at.desc(), CommunityQuestion.id.desc())
            .limit(limit)
        )
    ).all()
    people = await members_by_id(session, {row[0].asker_id for row in rows})
    return [BoardEntry(q, people.get(q.asker_id), answers or 0, helpful or 0) for q, answers, helpful in rows]


async def _awaiting(session: AsyncSession, member_id: int) -> list[tuple[CommunityAnswer, CommunityQuestion]]:
    rows = await session.execute(
        select(CommunityAnswer, CommunityQuestion)
        .join(CommunityQuestion, CommunityQuestion.id == CommunityAnswer.question_id)
        .where(CommunityAnswer.author_id == member_id, CommunityAnswer.keep_state == ASKED)
        .order_by(CommunityAnswer.id)
    )
    return [(answer, question) for answer, question in rows.all()]


async def open_questions(session: AsyncSession, *, limit: int = 10) -> list[BoardEntry]:
    """The newest open questions with their answer counts (for the channel digest)."""
    return await _entries(session, OPEN, limit)


# --- answering --------------------------------------------------------------------------------------


@dataclass
class Answered:
    question: CommunityQuestion
    answer: CommunityAnswer
    asker_told: bool
    # True when this delivery had been stored before (a retried thread reply): nothing new was stored.
    existing: bool = False


def _check_answerable(question: CommunityQuestion, member: Member) -> None:
    if question.status != OPEN:
        raise QuestionNotOpen(question.id, question.status)
    if question.asker_id == member.id:
        raise OwnQuestion(question.id)


def _delivery(platform: str, message_id: str | None) -> Select:
    """The answer stored from this platform message, if any."""
    return select(CommunityAnswer).where(CommunityAnswer.platform == platform, CommunityAnswer.message_id == message_id)


async def _record_answer_exchange(
    session: AsyncSession,
    question: CommunityQuestion,
    row: CommunityAnswer,
    asker: Member | None,
    author: Member,
    *,
    now: datetime,
    channel_id: str | None,
    guild_id: str | None,
) -> None:
    snapshot = question.asker_snapshot or {}
    if known_and_different(snapshot.get("organisation"), row.author_snapshot.get("organisation")):
        # Across organisations an answer is an exchange (metadata only, consent rules as everywhere).
        await record_exchange(
            session, kind=EXCHANGE_KIND, occurred_at=now, a=asker, b=author,
            a_snapshot=snapshot or None, b_snapshot=row.author_snapshot or None,
            platform=row.platform, channel_id=channel_id, guild_id=guild_id,
            dedupe_key=f"community:answer:{row.id}", with_source=cites_source(row.text),
        )


async def answer(
    core: Runtime,
    member: Member,
    question_id: int,
    text: str,
    *,
    platform: str,
    notices: CommunityNotices,
    message_id: str | None = None,
    channel_id: str | None = None,
    guild_id: str | None = None,
) -> Answered:
    cleaned = check_answer(text, question_id)
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        question = await visible_question(session, question_id)
        _check_answerable(question, member)
        if message_id is not None:
            known = (await session.execute(_delivery(platform, message_id))).scalar_one_or_none()
            if known is not None:
                return Answered(question, known, False, existing=True)
        author = await session.get(Member, member.id)
        assert author is not None
        row = CommunityAnswer(
            question_id=question_id,
            author_id=member.id,
            text=cleaned,
            language=detect_language(cleaned),
            author_snapshot=profile_snapshot(author),
            answered_at=now,
            platform=platform,
            message_id=message_id,
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the same delivery, stored a moment ago by another process
            known = (await session.execute(_delivery(platform, message_id))).scalar_one()
            return Answered(question, known, False, existing=True)
        asker = await session.get(Member, question.asker_id) if question.asker_id else None
        await _record_answer_exchange(
            session, question, row, asker, author, now=now, channel_id=channel_id, guild_id=guild_id
        )
        await record_audit(
            session, member.id, CommunityAudit.ANSWERED, {"question_id": question_id, "answer_id": row.id}, at=now
        )
    told = False
    if asker is not None:
        told = await core.tell(asker, notices.answer_for_asker(question, row, author))
    return Answered(question, row, told)


async def question_in_thread(core: Runtime, platform: str, thread_id: str | None) -> CommunityQuestion | None:
    """The question the bot started this thread with, if it did."""
    if not thread_id:
        return None
    async with core.db.session() as session:
        return (
            await session.execute(
                select(CommunityQuestion).where(
                    CommunityQuestion.platform == platform, CommunityQuestion.thread_id == thread_id
                )
            )
        ).scalars().first()


async def thread_reply(
    core: Runtime, question: CommunityQuestion, member: Member, message: Message, notices: CommunityNotices
) -> None:
    """A member's reply in the thread the bot started with `question`: an answer, told to the asker. The
    asker's own follow-ups belong to the thread, not to the answers; a refused answer (too long, the
    question closed) is explained to its author by direct message."""
    if member.id == question.asker_id or not message.text.strip():
        return
    try:
        await answer(
            core, member, question.id, message.text, platform=message.platform, notices=notices,
            message_id=message.message_id, channel_id=message.channel_id, guild_id=message.guild_id,
        )
    except UserError as refused:
        await core.tell(member, notices.answer_refused(question.id, refused))


# --- coordinators -------------------------------------------------------------------------------------


async def set_status(core: Runtime, member: Member, question_id: int, status: str) -> bool:
    """Close or remove a question (coordinators). Removing also takes its kept answers out of the knowledge
    base. False when it already had that status."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        question = await visible_question(session, question_id, coordinator=True)
        allowed = (OPEN,) if status == CLOSED else (OPEN, CLOSED)
        moved = await session.execute(
            update(CommunityQuestion)
            .where(CommunityQuestion.id == question_id, CommunityQuestion.status.in_(allowed))
            .values(status=status, closed_at=now)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            return False
        if status == REMOVED:
            kept = (
                await session.execute(
                    select(CommunityAnswer.id).where(
                        CommunityAnswer.question_id == question_id, CommunityAnswer.keep_state == KEPT
                    )
                )
            ).scalars().all()
            for answer_id in kept:
                await sync_document(session, answer_source_id(answer_id), None, member_id=None)
        await record_audit(
            session, member.id, CommunityAudit(f"community.{status}"),
            {"question_id": question_id, "was": question.status}, at=now,
        )
    core.knowledge.index.invalidate()
    return True


async def set_channel(core: Runtime, member: Member, *, platform: str, channel_id: str, guild_id: str | None) -> str | None:
    """Questions asked on `platform` are posted in this channel from now on; returns the previous one."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        channel = (
            await session.execute(select(CommunityChannel).where(CommunityChannel.platform == platform))
        ).scalar_one_or_none()
        previous = channel.channel_id if channel is not None else None
        if channel is None:
            channel = CommunityChannel(platform=platform, channel_id=channel_id)
            session.add(channel)
        channel.channel_id, channel.guild_id, channel.set_by_id, channel.set_at = channel_id, guild_id, member.id, now
        try:
            await session.flush()
        except IntegrityError:  # two coordinators at once: the other one's choice stands, then ours
            raise ChannelSetAtOnce() from None
        await record_audit(
            session, member.id, CommunityAudit.CHANNEL,
            {"platform": platform, "channel": channel_id, "previous": previous}, at=now,
        )
    return previous
