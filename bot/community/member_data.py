"""A member's questions and answers, for their export, their erasure and the count of what is held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.community.keeping import answer_document
from bot.community.service import CLOSED, ERASED_TEXT, KEPT, OPEN, answer_source_id, load_question
from knowledge.profiles import sync_document
from storage.models import CommunityAnswer, CommunityQuestion, Member


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


async def erase_member(session: AsyncSession, member_id: int, now: datetime) -> CommunityErasure:
    """Inside the privacy erasure's transaction: the member's questions and answers lose their text and
    their link to them (organisation, sector and country stay for the indicators, never shown again); their
    open questions are closed (nobody can answer a question that is gone); their kept answers
    leave the knowledge base (with the member's other documents), and others' kept answers to their
    questions are rewritten without the question's words."""
    question_ids = (
        await session.execute(select(CommunityQuestion.id).where(CommunityQuestion.asker_id == member_id))
    ).scalars().all()
    await session.execute(
        update(CommunityQuestion)
        .where(CommunityQuestion.asker_id == member_id, CommunityQuestion.status == OPEN)
        .values(status=CLOSED, closed_at=now)
    )
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
            question = await load_question(session, row.question_id)
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
