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
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import record_audit
from bot.community.detect import detect_language, detect_themes, language_name
from bot.indicators.exchange_log import cites_source
from bot.indicators.exchanges import COMMUNITY_ANSWER, known_and_different, profile_snapshot, record_exchange
from bot.message import Message
from config.errors import UserError
from config.vocabulary import parse_theme
from knowledge.profiles import ANSWER_SOURCE_PREFIX, sync_document
from knowledge.search import Filters
from knowledge.service import KnowledgeError
from knowledge.sources import SourceDocument
from storage.models import CommunityAnswer, CommunityChannel, CommunityNotice, CommunityQuestion, Member

if TYPE_CHECKING:
    from bot.reply import Reply  # only the type the notices return: the words are the views'
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

OPEN, CLOSED, REMOVED = "open", "closed", "removed"
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

    def answer_refused(self, question_id: int, reason: str) -> Reply: ...


def answer_source_id(answer_id: int) -> str:
    return f"{ANSWER_SOURCE_PREFIX}{answer_id}"


def _clean(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()


def check_question(text: str) -> str:
    cleaned = _clean(text)
    if len(cleaned) < MIN_QUESTION_CHARS:
        raise UserError(
            "What would you like to ask the community? Write the question after the command.",
            hint="For example `community ask How did other municipalities reach fathers in parenting programmes?`",
        )
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise UserError(
            f"That question is {len(cleaned):,} characters long; questions to the community may have up to "
            f"{MAX_QUESTION_CHARS:,}. Please shorten it: nothing was posted."
        )
    return cleaned


def check_answer(text: str, question_id: int) -> str:
    cleaned = _clean(text)
    if not cleaned:
        raise UserError(
            "What is your answer? Write it after the question's number.",
            hint=f"For example `community answer {question_id} We worked with the local football clubs…`",
        )
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise UserError(
            f"That answer is {len(cleaned):,} characters long; answers may have up to {MAX_ANSWER_CHARS:,}. "
            "Please shorten it (or link a document): nothing was stored."
        )
    return cleaned


# --- reading ----------------------------------------------------------------------------------------


@dataclass
class QuestionView:
    """A question with its answers and the people behind them, as far as the reader may see them."""

    question: CommunityQuestion
    asker: Member | None
    answers: list[tuple[CommunityAnswer, Member | None]] = field(default_factory=list)


async def _question(session: AsyncSession, question_id: int) -> CommunityQuestion | None:
    return await session.get(CommunityQuestion, question_id, populate_existing=True)


async def _visible_question(session: AsyncSession, question_id: int, *, coordinator: bool = False) -> CommunityQuestion:
    question = await _question(session, question_id)
    if question is None or (question.status == REMOVED and not coordinator):
        raise UserError(f"There is no question #{question_id} on the community board.", hint="`community` lists them.")
    return question


async def _members_by_id(session: AsyncSession, ids: set[int | None]) -> dict[int, Member]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = (await session.execute(select(Member).where(Member.id.in_(wanted)))).scalars().all()
    return {member.id: member for member in rows}


async def question_view(core: Runtime, question_id: int, *, coordinator: bool = False) -> QuestionView:
    async with core.db.session() as session:
        question = await _visible_question(session, question_id, coordinator=coordinator)
        answers = (
            await session.execute(
                select(CommunityAnswer)
                .where(CommunityAnswer.question_id == question_id)
                .order_by(CommunityAnswer.answered_at, CommunityAnswer.id)
            )
        ).scalars().all()
        people = await _members_by_id(session, {question.asker_id, *(a.author_id for a in answers)})
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
    people = await _members_by_id(session, {row[0].asker_id for row in rows})
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


# --- asking -----------------------------------------------------------------------------------------


@dataclass
class Asked:
    question: CommunityQuestion
    # Where it was posted: (platform, channel id), or None when only on the board.
    posted_in: tuple[str, str] | None
    channel_missing: bool
    experts_told: int
    # True when the same member had already asked the same open question: nothing new was stored.
    existing: bool = False


async def _closest(core: Runtime, text: str) -> list[str]:
    """Titles of the closest knowledge, or nothing when the knowledge base is empty or unavailable."""
    try:
        if await core.knowledge.is_empty():
            return []
        answer = await core.knowledge.search(text, Filters(), limit=CLOSEST_SHOWN)
    except KnowledgeError:
        return []
    except Exception:  # the question still goes to the community: the closest knowledge is a courtesy
        log.exception("closest knowledge for a community question could not be found")
        return []
    titles: list[str] = []
    for result in answer.results:
        if result.doc.title not in titles:
            titles.append(f"{result.doc.title}" + (" (weak match)" if answer.weak else ""))
    return titles[:CLOSEST_SHOWN]


async def ask(
    core: Runtime, member: Member, text: str, *, anonymous: bool, platform: str, notices: CommunityNotices
) -> Asked:
    cleaned = check_question(text)
    now = core.clock.now()
    async with core.db.session() as session:
        existing = (
            await session.execute(
                select(CommunityQuestion).where(
                    CommunityQuestion.asker_id == member.id,
                    CommunityQuestion.text == cleaned,
                    CommunityQuestion.status == OPEN,
                )
            )
        ).scalars().first()
    if existing is not None:
        return Asked(existing, None, False, 0, existing=True)
    closest = await _closest(core, cleaned)
    async with core.db.session() as session, session.begin():
        asker = await session.get(Member, member.id)
        assert asker is not None
        question = CommunityQuestion(
            asker_id=member.id,
            anonymous=anonymous,
            text=cleaned,
            language=detect_language(cleaned),
            themes=detect_themes(cleaned),
            closest=closest,
            asker_snapshot=profile_snapshot(asker),
            status=OPEN,
            asked_at=now,
            platform=platform,
        )
        session.add(question)
        await session.flush()
        await record_audit(
            session, member.id, "community.asked", {"question_id": question.id, "anonymous": anonymous}, at=now
        )
        channel = (
            await session.execute(select(CommunityChannel).where(CommunityChannel.platform == platform))
        ).scalar_one_or_none()
        channel_id = channel.channel_id if channel is not None else None
    posted_in = None
    if channel_id is not None:
        posted_in = await _post_question(core, question, member, platform, channel_id, notices)
    told = await _tell_experts(core, question, member, notices)
    transport_present = platform in core.transports and platform != "console"
    return Asked(question, posted_in, channel_id is None and transport_present, told)


async def _post_question(
    core: Runtime, question: CommunityQuestion, asker: Member, platform: str, channel_id: str,
    notices: CommunityNotices,
) -> tuple[str, str] | None:
    """Post the question into the community channel as the start of a thread; remember the thread."""
    transport = core.transports.get(platform)
    if transport is None:
        return None
    reply = notices.question_post(question, None if question.anonymous else asker)
    try:
        start_thread = getattr(transport, "start_thread", None)
        if start_thread is not None:
            thread_id = await start_thread(channel_id, reply)
        else:
            thread_id = await transport.send_channel(channel_id, reply)
    except Exception:  # stored on the board already: a platform failure loses only the post
        log.exception("community question %s could not be posted in %s channel %s", question.id, platform, channel_id)
        return None
    async with core.db.session() as session, session.begin():
        await session.execute(
            update(CommunityQuestion)
            .where(CommunityQuestion.id == question.id)
            .values(channel_id=channel_id, thread_id=thread_id)
        )
    question.channel_id, question.thread_id = channel_id, thread_id
    return platform, channel_id


# --- telling members whose expertise matches --------------------------------------------------------


def _expertise_matches(expert: Member, question: CommunityQuestion) -> bool:
    items = [item for item in (expert.expertise or []) if item.strip()]
    if not items:
        return False
    themes = {theme for item in items if (theme := parse_theme(item))} | set(detect_themes(", ".join(items)))
    if themes & set(question.themes or []):
        return True
    words = set(re.findall(r"[^\W\d_]{4,}", question.text.lower()))
    for item in items:
        item_words = re.findall(r"[^\W\d_]{4,}", item.lower())
        if item_words and all(word in words or word.rstrip("s") in words for word in item_words):
            return True
    return False


async def _tell_experts(core: Runtime, question: CommunityQuestion, asker: Member, notices: CommunityNotices) -> int:
    """DM members who opted in and whose expertise matches, each at most a few times a week."""
    now = core.clock.now()
    weekly = core.settings.community_notices_per_week
    if weekly <= 0:
        return 0
    async with core.db.session() as session:
        candidates = (
            await session.execute(
                select(Member).where(
                    Member.consent_community_questions.is_(True), Member.id != asker.id, Member.is_bot.is_(False)
                ).order_by(Member.id)
            )
        ).scalars().all()
        matching = [m for m in candidates if _expertise_matches(m, question)]
        recent = dict(
            (
                await session.execute(
                    select(CommunityNotice.member_id, func.count(CommunityNotice.id))
                    .where(CommunityNotice.sent_at > now - NOTICE_WINDOW)
                    .group_by(CommunityNotice.member_id)
                )
            ).all()
        )
    told = 0
    for expert in matching:
        if told >= NOTICES_PER_QUESTION:
            break
        if recent.get(expert.id, 0) >= weekly:
            continue
        async with core.db.session() as session, session.begin():
            try:
                async with session.begin_nested():
                    session.add(CommunityNotice(member_id=expert.id, question_id=question.id, sent_at=now))
            except IntegrityError:  # told already (another process)
                continue
        if await core.tell(expert, notices.expert_notice(question, None if question.anonymous else asker, expert)):
            told += 1
    return told


# --- answering --------------------------------------------------------------------------------------


@dataclass
class Answered:
    question: CommunityQuestion
    answer: CommunityAnswer
    asker_told: bool
    # True when this delivery had been stored before (a retried thread reply): nothing new was stored.
    existing: bool = False


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
        question = await _visible_question(session, question_id)
        if question.status != OPEN:
            raise UserError(
                f"Question #{question_id} is {question.status}, so it takes no more answers.",
                hint="`community` lists the open questions.",
            )
        if question.asker_id == member.id:
            raise UserError(
                "That is your own question: answers come from other members.",
                hint=f"To add detail, ask again with `community ask …`; `community show {question_id}` shows the answers.",
            )
        if message_id is not None:
            known = (
                await session.execute(
                    select(CommunityAnswer).where(
                        CommunityAnswer.platform == platform, CommunityAnswer.message_id == message_id
                    )
                )
            ).scalar_one_or_none()
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
            known = (
                await session.execute(
                    select(CommunityAnswer).where(
                        CommunityAnswer.platform == platform, CommunityAnswer.message_id == message_id
                    )
                )
            ).scalar_one()
            return Answered(question, known, False, existing=True)
        asker = await session.get(Member, question.asker_id) if question.asker_id else None
        snapshot = question.asker_snapshot or {}
        if known_and_different(snapshot.get("organisation"), row.author_snapshot.get("organisation")):
            # Across organisations an answer is an exchange (metadata only, consent rules as everywhere).
            await record_exchange(
                session, kind=EXCHANGE_KIND, occurred_at=now, a=asker, b=author,
                a_snapshot=snapshot or None, b_snapshot=row.author_snapshot or None,
                platform=platform, channel_id=channel_id, guild_id=guild_id,
                dedupe_key=f"community:answer:{row.id}", with_source=cites_source(cleaned),
            )
        await record_audit(
            session, member.id, "community.answered", {"question_id": question_id, "answer_id": row.id}, at=now
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
        await core.tell(member, notices.answer_refused(question.id, str(refused)))


# --- helpful, and keeping it as knowledge -----------------------------------------------------------


@dataclass
class MarkedHelpful:
    question: CommunityQuestion
    answer: CommunityAnswer
    author: Member | None
    # Whether the author was asked to keep it (False when they have left, or could not be reached).
    consent_asked: bool


async def _answer_of(session: AsyncSession, question_id: int, answer_id: int) -> CommunityAnswer:
    row = await session.get(CommunityAnswer, answer_id, populate_existing=True)
    if row is None or row.question_id != question_id:
        raise UserError(
            f"Question #{question_id} has no answer #{answer_id}.",
            hint=f"`community show {question_id}` lists its answers with their numbers.",
        )
    return row


async def mark_helpful(
    core: Runtime, member: Member, question_id: int, answer_id: int, *, notices: CommunityNotices
) -> MarkedHelpful:
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        question = await _visible_question(session, question_id)
        if question.asker_id != member.id:
            raise UserError("Only the member who asked a question can mark its answers as helpful.")
        row = await _answer_of(session, question_id, answer_id)
        author = await session.get(Member, row.author_id) if row.author_id else None
        moved = await session.execute(
            update(CommunityAnswer)
            .where(CommunityAnswer.id == answer_id, CommunityAnswer.helpful_at.is_(None))
            .values(helpful_at=now, keep_state=ASKED if author is not None else None)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            raise UserError(f"You have already marked answer #{answer_id} as helpful. Thank you!")
        await record_audit(
            session, member.id, "community.helpful", {"question_id": question_id, "answer_id": answer_id}, at=now
        )
        row = await _answer_of(session, question_id, answer_id)
    asked = False
    if author is not None:
        asked = await core.tell(author, notices.keep_request(question, row, None if question.anonymous else member))
    return MarkedHelpful(question, row, author, asked)


def answer_document(question: CommunityQuestion, answer: CommunityAnswer, author: Member) -> SourceDocument:
    """A kept answer as knowledge: the question and the answer, attributed to its author, in its language."""
    organisation = author.organisation.name if author.organisation else None
    asked = " ".join((question.text or "").split())
    title = asked or " ".join(answer.text.split())
    if len(title) > 160:
        title = title[:160].rsplit(" ", 1)[0] + "…"
    # The title is the question; only a question too long for it is repeated in full.
    sections = [f"## Question\n{question.text}"] if asked and title != asked else []
    sections.append(f"## Answer by {author.display_name}" + (f", {organisation}" if organisation else "") + f"\n{answer.text}")
    languages = [name for name in dict.fromkeys([language_name(answer.language), language_name(question.language)])
                 if name != "unknown"]
    return SourceDocument(
        source_id=answer_source_id(answer.id),
        source_path=SOURCE_PATH,
        kind=ANSWER_KIND,
        title=title,
        body="\n\n".join(sections),
        themes=list(question.themes or []),
        countries=[author.country] if author.country else [],
        sectors=[author.sector] if author.sector else [],
        organisations=[organisation] if organisation else [],
        meta={
            "answered_by": author.display_name,
            "question_id": question.id,
            "answer_id": answer.id,
            "language": answer.language,
            **({"languages": languages} if languages else {}),
        },
    )


@dataclass
class KeepDecision:
    answer: CommunityAnswer
    question: CommunityQuestion
    kept: bool
    changed: bool


async def decide_keep(core: Runtime, member: Member, answer_id: int, *, keep: bool) -> KeepDecision:
    """The author's answer to "may I keep this in the knowledge base?" (and a later change of mind)."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        row = await session.get(CommunityAnswer, answer_id, populate_existing=True)
        if row is None or row.author_id != member.id:
            raise UserError(f"I can't find an answer #{answer_id} of yours.", hint="`community` lists what waits for you.")
        if row.helpful_at is None:
            raise UserError(
                f"Answer #{answer_id} has not been marked helpful yet; only helpful answers are kept as knowledge."
            )
        question = await _question(session, row.question_id)
        assert question is not None
        if keep:
            if question.status == REMOVED:
                raise UserError(f"Question #{question.id} was removed by a coordinator, so its answers are not kept.")
            target, allowed = KEPT, (ASKED, DECLINED, WITHDRAWN)
        else:
            target, allowed = (WITHDRAWN, (KEPT,)) if row.keep_state == KEPT else (DECLINED, (ASKED,))
        moved = await session.execute(
            update(CommunityAnswer)
            .where(CommunityAnswer.id == answer_id, CommunityAnswer.keep_state.in_(allowed))
            .values(keep_state=target, kept_at=now if keep else None)
            .execution_options(synchronize_session=False)
        )
        changed = moved.rowcount == 1
        if changed:
            author = await session.get(Member, member.id)
            await session.refresh(author, ["organisation"])
            row = await session.get(CommunityAnswer, answer_id, populate_existing=True)
            source = answer_document(question, row, author) if keep else None
            await sync_document(session, answer_source_id(answer_id), source, member_id=member.id)
            await record_audit(
                session, member.id, f"community.{target}", {"question_id": question.id, "answer_id": answer_id}, at=now
            )
    core.knowledge.invalidate()  # this process's next search sees it at once (by its keywords)
    if changed and keep:
        # The author waits a moment (the model may have to load) so the answer is found by meaning at once
        # too; the embedding goes on, and is never cancelled, if it takes longer.
        await asyncio.wait({core.knowledge.embed_soon()}, timeout=KEEP_EMBED_SECONDS)
    return KeepDecision(row, question, keep, changed)


# --- coordinators -------------------------------------------------------------------------------------


async def set_status(core: Runtime, member: Member, question_id: int, status: str) -> bool:
    """Close or remove a question (coordinators). Removing also takes its kept answers out of the knowledge
    base. False when it already had that status."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        question = await _visible_question(session, question_id, coordinator=True)
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
            session, member.id, f"community.{status}", {"question_id": question_id, "was": question.status}, at=now
        )
    core.knowledge.invalidate()
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
            raise UserError("Someone set the community channel at the same moment; please try again.") from None
        await record_audit(
            session, member.id, "community.channel",
            {"platform": platform, "channel": channel_id, "previous": previous}, at=now,
        )
    return previous


# --- privacy ------------------------------------------------------------------------------------------


async def export_member(session: AsyncSession, member_id: int) -> dict[str, list[dict[str, Any]]]:
    """A member's questions and answers (others' answers to their questions without their text)."""
    questions = (
        await session.execute(
            select(CommunityQuestion).where(CommunityQuestion.asker_id == member_id).order_by(CommunityQuestion.id)
        )
    ).scalars().all()
    answers = (
        await session.execute(
            select(CommunityAnswer).where(CommunityAnswer.author_id == member_id).order_by(CommunityAnswer.id)
        )
    ).scalars().all()
    counts = dict(
        (
            await session.execute(
                select(CommunityAnswer.question_id, func.count(CommunityAnswer.id))
                .where(CommunityAnswer.question_id.in_([q.id for q in questions]))
                .group_by(CommunityAnswer.question_id)
            )
        ).all()
    ) if questions else {}
    return {
        "questions": [
            {
                "question_id": q.id, "text": q.text, "anonymous": q.anonymous, "language": q.language,
                "themes": list(q.themes or []), "status": q.status, "asked_at": _iso(q.asked_at),
                "answers_received": counts.get(q.id, 0),
            }
            for q in questions
        ],
        "answers": [
            {
                "answer_id": a.id, "question_id": a.question_id, "text": a.text, "language": a.language,
                "answered_at": _iso(a.answered_at), "marked_helpful_at": _iso(a.helpful_at),
                "kept_as_knowledge": a.keep_state == KEPT,
            }
            for a in answers
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class CommunityErasure:
    questions_anonymised: int
    answers_anonymised: int
    documents_rewritten: int


async def erase_member(session: AsyncSession, member_id: int) -> CommunityErasure:
    """Inside the privacy erasure's transaction: the member's questions and answers lose their text and
    their link to them (organisation, sector and country stay for the indicators); their kept answers
    leave the knowledge base (with the member's other documents), and others' kept answers to their
    questions are rewritten without the question's words."""
    question_ids = (
        await session.execute(select(CommunityQuestion.id).where(CommunityQuestion.asker_id == member_id))
    ).scalars().all()
    await session.execute(
        update(CommunityQuestion)
        .where(CommunityQuestion.asker_id == member_id)
        .values(asker_id=None, text=ERASED_TEXT, closest=[])
    )
    own_answers = (
        await session.execute(select(CommunityAnswer.id).where(CommunityAnswer.author_id == member_id))
    ).scalars().all()
    for answer_id in own_answers:
        await sync_document(session, answer_source_id(answer_id), None, member_id=None)
    await session.execute(
        update(CommunityAnswer)
        .where(CommunityAnswer.author_id == member_id)
        .values(author_id=None, text=ERASED_TEXT, keep_state=None)
    )
    rewritten = 0
    if question_ids:
        kept = (
            await session.execute(
                select(CommunityAnswer).where(
                    CommunityAnswer.question_id.in_(question_ids), CommunityAnswer.keep_state == KEPT
                )
            )
        ).scalars().all()
        for row in kept:
            author = await session.get(Member, row.author_id) if row.author_id else None
            question = await _question(session, row.question_id)
            if author is None or question is None:
                continue
            await session.refresh(author, ["organisation"])
            await sync_document(session, answer_source_id(row.id), answer_document(question, row, author), member_id=author.id)
            rewritten += 1
    return CommunityErasure(len(question_ids), len(own_answers), rewritten)


async def count_posts(session: AsyncSession, member_id: int) -> int:
    """Questions the member asked the community and answers they gave."""
    questions = await session.execute(select(func.count(CommunityQuestion.id)).where(CommunityQuestion.asker_id == member_id))
    answers = await session.execute(select(func.count(CommunityAnswer.id)).where(CommunityAnswer.author_id == member_id))
    return int(questions.scalar_one()) + int(answers.scalar_one())
