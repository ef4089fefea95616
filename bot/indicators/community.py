"""Indicators of asking the community (definitions: docs/indicators.md, "Asking the community").

Computed, like the others, by pure functions over plain records, so they can be recomputed by hand from
the `community_questions` and `community_answers` tables. Questions a coordinator removed are left out
entirely (with their answers); closed ones count. A window is half-open, [start, end).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.indicators.exchanges import known_and_different
from bot.indicators.measures import format_value
from bot.indicators.periods import rolling_windows
from bot.indicators.service import Side
from storage.models import CommunityAnswer, CommunityQuestion

if TYPE_CHECKING:
    from bot.runtime import Runtime

ANSWERED_WITHIN = timedelta(days=7)
REMOVED = "removed"
KEPT = "kept"


@dataclass(frozen=True)
class AnswerRecord:
    answered_at: datetime
    author: Side
    # When its author let it be kept as knowledge, if it is kept now (a withdrawn or erased one is not).
    kept_at: datetime | None = None


@dataclass(frozen=True)
class QuestionRecord:
    asked_at: datetime
    asker: Side
    answers: tuple[AnswerRecord, ...] = ()

    def first_answer_before(self, end: datetime) -> datetime | None:
        times = [a.answered_at for a in self.answers if a.answered_at < end]
        return min(times) if times else None


@dataclass
class CommunityWindow:
    questions: list[QuestionRecord]  # asked in the window
    answers: list[tuple[QuestionRecord, AnswerRecord]]  # given in the window, with their question
    kept: list[AnswerRecord]  # kept as knowledge in the window
    end: datetime

    @classmethod
    def of(cls, records: list[QuestionRecord], start: datetime, end: datetime) -> CommunityWindow:
        return cls(
            [q for q in records if start <= q.asked_at < end],
            [(q, a) for q in records for a in q.answers if start <= a.answered_at < end],
            [a for q in records for a in q.answers if a.kept_at is not None and start <= a.kept_at < end],
            end,
        )

    def answered(self, *, within: timedelta | None = None) -> list[QuestionRecord]:
        found = []
        for question in self.questions:
            first = question.first_answer_before(self.end)
            if first is not None and (within is None or first - question.asked_at <= within):
                found.append(question)
        return found

    def crossing(self, attribute: str) -> int:
        return sum(
            known_and_different(getattr(q.asker, attribute), getattr(a.author, attribute)) for q, a in self.answers
        )


def _median_hours_to_first_answer(w: CommunityWindow) -> float | None:
    waits = [
        (first - q.asked_at).total_seconds() / 3600
        for q in w.questions
        if (first := q.first_answer_before(w.end)) is not None
    ]
    return statistics.median(waits) if waits else None


@dataclass(frozen=True)
class CommunityIndicator:
    key: str
    label: str
    unit: str  # count, hours
    compute: Callable[[CommunityWindow], float | int | None]
    definition: str


COMMUNITY_INDICATORS: tuple[CommunityIndicator, ...] = (
    CommunityIndicator("community_questions", "Questions asked to the community", "count", lambda w: len(w.questions),
                       "Questions asked to the community in the window (removed ones left out)."),
    CommunityIndicator("community_answered", "Community questions answered", "count", lambda w: len(w.answered()),
                       "Of those questions, the ones with at least one answer before the window's end."),
    CommunityIndicator("community_answered_within_week", "Answered within a week", "count",
                       lambda w: len(w.answered(within=ANSWERED_WITHIN)),
                       "Of those questions, the ones whose first answer came at most 7 days (168 hours) after "
                       "the question, and before the window's end."),
    CommunityIndicator("community_median_hours_to_first_answer", "Median time to a first answer", "hours",
                       _median_hours_to_first_answer,
                       "Median of (first answer − question), in hours, over the questions asked in the window "
                       "that have an answer before the window's end."),
    CommunityIndicator("community_answers", "Community answers", "count", lambda w: len(w.answers),
                       "Answers given in the window (to questions not removed), whenever the question was asked."),
    CommunityIndicator("community_answers_kept", "Helpful answers kept as knowledge", "count", lambda w: len(w.kept),
                       "Answers whose author agreed in the window to keep them in the knowledge base, and that "
                       "are still kept (a withdrawn or erased one no longer counts)."),
    CommunityIndicator("community_answers_cross_border", "Answers across a border", "count",
                       lambda w: w.crossing("country"),
                       "Answers given in the window where the asker's and the answerer's countries (as they were "
                       "when each wrote) are both known and differ."),
    CommunityIndicator("community_answers_cross_sector", "Answers across sectors", "count",
                       lambda w: w.crossing("sector"),
                       "The same, for sectors."),
    CommunityIndicator("community_answers_cross_organisation", "Answers across organisations", "count",
                       lambda w: w.crossing("organisation"),
                       "The same, for organisations."),
)
COMMUNITY_BY_KEY = {indicator.key: indicator for indicator in COMMUNITY_INDICATORS}
# The few shown in a channel digest.
DIGEST_KEYS = ("community_questions", "community_answered", "community_answers_kept")


def compute_community(
    records: list[QuestionRecord], start: datetime, end: datetime
) -> dict[str, float | int | None]:
    window = CommunityWindow.of(records, start, end)
    return {indicator.key: indicator.compute(window) for indicator in COMMUNITY_INDICATORS}


async def load_community(session: AsyncSession, end: datetime) -> list[QuestionRecord]:
    """Every question asked before `end` that was not removed, with its answers given before `end`."""
    questions = (
        await session.execute(
            select(CommunityQuestion.id, CommunityQuestion.asked_at, CommunityQuestion.asker_snapshot)
            .where(CommunityQuestion.asked_at < end, CommunityQuestion.status != REMOVED)
            .order_by(CommunityQuestion.asked_at, CommunityQuestion.id)
        )
    ).all()
    answers: dict[int, list[AnswerRecord]] = {}
    rows = await session.execute(
        select(
            CommunityAnswer.question_id, CommunityAnswer.answered_at, CommunityAnswer.author_snapshot,
            CommunityAnswer.keep_state, CommunityAnswer.kept_at,
        )
        .where(CommunityAnswer.answered_at < end)
        .order_by(CommunityAnswer.answered_at, CommunityAnswer.id)
    )
    for question_id, answered_at, snapshot, keep_state, kept_at in rows:
        answers.setdefault(question_id, []).append(
            AnswerRecord(answered_at, _side(snapshot), kept_at if keep_state == KEPT else None)
        )
    return [QuestionRecord(asked_at, _side(snapshot), tuple(answers.get(qid, ()))) for qid, asked_at, snapshot in questions]


def _side(snapshot: dict | None) -> Side:
    snapshot = snapshot or {}
    return Side(snapshot.get("organisation"), snapshot.get("sector"), snapshot.get("country"))


@dataclass(frozen=True)
class CommunityFigures:
    """`kpi`: the community indicators of the last N days next to the N days before."""

    current: dict[str, float | int | None]
    previous: dict[str, float | int | None]

    @property
    def empty(self) -> bool:
        return not self.current["community_questions"] and not self.current["community_answers"] and not (
            self.previous["community_questions"] or self.previous["community_answers"]
        )

    def display(self, key: str) -> str:
        return format_value(COMMUNITY_BY_KEY[key].unit, self.current[key])


async def rolling_community(core: Runtime, period: str) -> CommunityFigures:
    (start, end), (previous_start, previous_end) = rolling_windows(core.clock.now(), period)
    async with core.db.session() as session:
        records = await load_community(session, end)
    return CommunityFigures(
        compute_community(records, start, end), compute_community(records, previous_start, previous_end)
    )


async def community_headline(session: AsyncSession, start: datetime, end: datetime) -> list[tuple[str, str]]:
    """(label, value) of the digest's community figures for [start, end); none without questions or answers."""
    values = compute_community(await load_community(session, end), start, end)
    if not values["community_questions"] and not values["community_answers"]:
        return []
    return [(COMMUNITY_BY_KEY[key].label, format_value(COMMUNITY_BY_KEY[key].unit, values[key])) for key in DIGEST_KEYS]


@dataclass
class CommunityReport:
    """The report's community indicators: per period and over the whole range."""

    series: dict[str, list[float | int | None]]
    totals: dict[str, float | int | None]


def community_report(records: list[QuestionRecord], periods: list, start: datetime, end: datetime) -> CommunityReport:
    per_period = [compute_community(records, p.start, p.end) for p in periods]
    return CommunityReport(
        {i.key: [values[i.key] for values in per_period] for i in COMMUNITY_INDICATORS},
        compute_community(records, start, end),
    )
