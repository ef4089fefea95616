"""What a digest contains: upcoming events, pilots and documents new since the last digest, open questions
to the community and the period's figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.community.service import open_questions
from bot.digests.headline import HeadlineFigure, headline_fields
from bot.digests.schedule import DigestSpec
from bot.events.service import upcoming_events
from bot.indicators.community import community_headline
from storage.models import DigestRun, Document, Event, Pilot

# How many events, and new pilots or documents, a digest shows; the rest are counted.
MAX_EVENTS = 5
MAX_ITEMS = 10
# Knowledge-base documents listed as "new": pilots have their own list, expert profiles are people.
_LISTED_DOCUMENT_KINDS_EXCLUDED = ("pilot", "expert")


@dataclass
class NewPilot:
    title: str
    countries: list[str]
    url: str | None


@dataclass
class NewDocument:
    title: str
    kind: str
    url: str | None


@dataclass
class OpenQuestion:
    question_id: int
    text: str
    answers: int


@dataclass
class DigestContent:
    """What a digest reports for [since, now): every item found (the message may show only the first few)."""

    spec: DigestSpec
    since: datetime
    now: datetime
    events: list[Event] = field(default_factory=list)  # upcoming within the spec's horizon
    pilots: list[NewPilot] = field(default_factory=list)
    documents: list[NewDocument] = field(default_factory=list)
    indicators: list[HeadlineFigure] = field(default_factory=list)
    # Questions to the community still open (newest first), and the community figures of the period.
    open_questions: list[OpenQuestion] = field(default_factory=list)
    community: list[HeadlineFigure] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.events or self.pilots or self.documents or self.indicators or self.open_questions)


async def last_covered_to(session: AsyncSession, platform: str, channel_id: str) -> datetime | None:
    """The end of the last digest that may have been seen (anything but a skipped one)."""
    return (
        await session.execute(
            select(DigestRun.covered_to)
            .where(DigestRun.platform == platform, DigestRun.channel_id == channel_id, DigestRun.status != "skipped")
            .order_by(DigestRun.covered_to.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def build_digest(session: AsyncSession, *, spec: DigestSpec, since: datetime, now: datetime) -> DigestContent:
    events = await upcoming_events(session, now=now, until=now + spec.horizon, limit=MAX_EVENTS + 50)
    pilots = (
        await session.execute(
            select(Pilot.title, Pilot.countries, Document.url)
            .join(Document, Document.id == Pilot.document_id)
            .where(Document.created_at >= since, Document.created_at < now)
            .order_by(Document.created_at, Pilot.id)
        )
    ).all()
    documents = (
        await session.execute(
            select(Document.title, Document.kind, Document.url)
            .where(
                Document.created_at >= since,
                Document.created_at < now,
                Document.kind.not_in(_LISTED_DOCUMENT_KINDS_EXCLUDED),
            )
            .order_by(Document.created_at, Document.id)
        )
    ).all()
    return DigestContent(
        spec=spec,
        since=since,
        now=now,
        events=events,
        pilots=[NewPilot(title, countries, url) for title, countries, url in pilots],
        documents=[NewDocument(title, kind, url) for title, kind, url in documents],
        indicators=await headline_fields(session, since, now),
        open_questions=[
            OpenQuestion(entry.question.id, entry.question.text, entry.answers)
            for entry in await open_questions(session, limit=MAX_ITEMS + 1)
        ],
        community=[HeadlineFigure(label, value) for label, value in await community_headline(session, since, now)],
    )
