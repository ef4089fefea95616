"""An answer marked helpful by the asker, and kept as knowledge if its author agrees (or withdrawn later)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import record_audit
from bot.community.detect import language_name
from bot.community.errors import (
    AlreadyHelpful,
    NoAnswerOfYours,
    NoSuchAnswer,
    NotHelpfulYet,
    NotTheAsker,
    QuestionRemoved,
)
from bot.community.service import (
    ANSWER_KIND,
    ASKED,
    DECLINED,
    KEEP_EMBED_SECONDS,
    KEPT,
    REMOVED,
    SOURCE_PATH,
    WITHDRAWN,
    CommunityAudit,
    CommunityNotices,
    answer_source_id,
    load_question,
    visible_question,
)
from knowledge.profiles import sync_document
from knowledge.sources import SourceDocument
from storage.models import CommunityAnswer, CommunityQuestion, Member

if TYPE_CHECKING:
    from bot.runtime import Runtime

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
        raise NoSuchAnswer(question_id, answer_id)
    return row


async def mark_helpful(
    core: Runtime, member: Member, question_id: int, answer_id: int, *, notices: CommunityNotices
) -> MarkedHelpful:
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        question = await visible_question(session, question_id)
        if question.asker_id != member.id:
            raise NotTheAsker()
        row = await _answer_of(session, question_id, answer_id)
        author = await session.get(Member, row.author_id) if row.author_id else None
        moved = await session.execute(
            update(CommunityAnswer)
            .where(CommunityAnswer.id == answer_id, CommunityAnswer.helpful_at.is_(None))
            .values(helpful_at=now, keep_state=ASKED if author is not None else None)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            raise AlreadyHelpful(answer_id)
        await record_audit(
            session, member.id, CommunityAudit.HELPFUL, {"question_id": question_id, "answer_id": answer_id}, at=now
        )
        row = await _answer_of(session, question_id, answer_id)
    asked = False
    if author is not None:
        asked = await core.tell(author, notices.keep_request(question, row, None if question.anonymous else member))
    return MarkedHelpful(question, row, author, asked)


def _shortened(title: str) -> str:
    if len(title) > 160:
        return title[:160].rsplit(" ", 1)[0] + "…"
    return title


def _languages(question: CommunityQuestion, answer: CommunityAnswer) -> list[str]:
    return [name for name in dict.fromkeys([language_name(answer.language), language_name(question.language)])
            if name != "unknown"]


def _present(value: str | None) -> list[str]:
    return [value] if value else []


def answer_document(question: CommunityQuestion, answer: CommunityAnswer, author: Member) -> SourceDocument:
    """A kept answer as knowledge: the question and the answer, attributed to its author, in its language."""
    organisation = author.organisation.name if author.organisation else None
    asked = " ".join((question.text or "").split())
    title = _shortened(asked or " ".join(answer.text.split()))
    # The title is the question; only a question too long for it is repeated in full.
    sections = [f"## Question\n{question.text}"] if asked and title != asked else []
    sections.append(f"## Answer by {author.display_name}" + (f", {organisation}" if organisation else "") + f"\n{answer.text}")
    return SourceDocument(
        source_id=answer_source_id(answer.id),
        source_path=SOURCE_PATH,
        kind=ANSWER_KIND,
        title=title,
        body="\n\n".join(sections),
        themes=list(question.themes or []),
        countries=_present(author.country),
        sectors=_present(author.sector),
        organisations=_present(organisation),
        meta=_answer_meta(question, answer, author),
    )


def _answer_meta(question: CommunityQuestion, answer: CommunityAnswer, author: Member) -> dict:
    languages = _languages(question, answer)
    return {
        "answered_by": author.display_name,
        "question_id": question.id,
        "answer_id": answer.id,
        "language": answer.language,
        **({"languages": languages} if languages else {}),
    }


@dataclass
class KeepDecision:
    answer: CommunityAnswer
    question: CommunityQuestion
    kept: bool
    changed: bool


def _own_helpful_answer(row: CommunityAnswer | None, member: Member, answer_id: int) -> CommunityAnswer:
    if row is None or row.author_id != member.id:
        raise NoAnswerOfYours(answer_id)
    if row.helpful_at is None:
        raise NotHelpfulYet(answer_id)
    return row


def _keep_move(question: CommunityQuestion, row: CommunityAnswer, *, keep: bool) -> tuple[str, tuple[str, ...]]:
    """The keep state to move to, and the states it may be moved from."""
    if not keep:
        return (WITHDRAWN, (KEPT,)) if row.keep_state == KEPT else (DECLINED, (ASKED,))
    if question.status == REMOVED:
        raise QuestionRemoved(question.id)
    return KEPT, (ASKED, DECLINED, WITHDRAWN)


async def decide_keep(core: Runtime, member: Member, answer_id: int, *, keep: bool) -> KeepDecision:
    """The author's answer to "may I keep this in the knowledge base?" (and a later change of mind)."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        row = await session.get(CommunityAnswer, answer_id, populate_existing=True)
        row = _own_helpful_answer(row, member, answer_id)
        question = await load_question(session, row.question_id)
        assert question is not None
        target, allowed = _keep_move(question, row, keep=keep)
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
                session, member.id, CommunityAudit(f"community.{target}"),
                {"question_id": question.id, "answer_id": answer_id}, at=now,
            )
    core.knowledge.index.invalidate()  # this process's next search sees it at once (by its keywords)
    if changed and keep:
        # The author waits a moment (the model may have to load) so the answer is found by meaning at once
        # too; the embedding goes on, and is never cancelled, if it takes longer.
        await asyncio.wait({core.knowledge.model.embed_soon()}, timeout=KEEP_EMBED_SECONDS)
    return KeepDecision(row, question, keep, changed)
