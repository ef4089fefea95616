"""Knowledge-transfer indicators, computed from exchanges and introductions (definitions: docs/indicators.md).

The computations are pure functions over plain records, so a test (or a person with a spreadsheet) can
recompute every number by hand. `load_dataset` turns stored rows into those records; `headline_indicators`
is the short list shown by `kpi` and in digests.

A window is half-open, [start, end). Breakdowns by country or sector recompute every indicator over the
exchanges and introductions that have that country or sector on at least one side.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.indicators.exchanges import ANSWER_KINDS, EVENT_ATTENDED, known_and_different
from storage.models import Exchange, Introduction, IntroductionTransition

PERIODS = ("week", "month", "quarter")
# `kpi` compares rolling windows of these lengths: always full, always comparable.
ROLLING_DAYS = {"week": 7, "month": 30, "quarter": 91}
EVENT_KIND = EVENT_ATTENDED
USEFUL_FROM = 4  # a rating of 4 or 5 counts as "useful"

GROUPS = {
    "immediate": "Immediate value: activity and answers",
    "potential": "Potential value: new ties and reach",
    "applied": "Applied value: meetings and repeat collaboration",
    "realised": "Realised value: self-reported usefulness",
}


# --- records ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    organisation: str | None = None
    sector: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class ExchangeRecord:
    kind: str
    occurred_at: datetime
    a: Side
    b: Side
    with_source: bool = False

    @property
    def tie(self) -> frozenset[str] | None:
        """The pair of organisations, when both are known and differ."""
        first, second = self.a.organisation, self.b.organisation
        if first is None or second is None or first == second:
            return None
        return frozenset((first, second))

    @property
    def cross_border(self) -> bool:
        return known_and_different(self.a.country, self.b.country)

    @property
    def cross_sector(self) -> bool:
        return known_and_different(self.a.sector, self.b.sector)

    @property
    def cross_organisation(self) -> bool:
        return self.tie is not None


@dataclass(frozen=True)
class IntroductionRecord:
    requested_at: datetime
    requester: Side
    target: Side
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
    expired_at: datetime | None = None
    met_at: datetime | None = None
    ratings: tuple[int, ...] = ()

    @property
    def moments(self) -> tuple[datetime | None, ...]:
        """Every time something happened to it: each counts for breakdowns and for "nothing recorded"."""
        return (self.requested_at, self.accepted_at, self.declined_at, self.expired_at, self.met_at)


@dataclass
class Dataset:
    """Everything the indicators need up to some moment; exchanges before a window give "new" vs "repeat"."""

    exchanges: list[ExchangeRecord] = field(default_factory=list)
    introductions: list[IntroductionRecord] = field(default_factory=list)

    def touching(self, dimension: str, value: str) -> Dataset:
        """Only what has `value` as its country (or sector) on at least one side."""

        def has(side: Side) -> bool:
            return getattr(side, dimension) == value

        return Dataset(
            [e for e in self.exchanges if has(e.a) or has(e.b)],
            [i for i in self.introductions if has(i.requester) or has(i.target)],
        )

    def values(self, dimension: str, start: datetime, end: datetime) -> list[str]:
        """The countries (or sectors) with anything in [start, end), for breakdowns: an exchange, or an
        introduction requested, accepted, declined, expired or met then. A country whose only activity is a
        declined or expired introduction is listed (with 0 exchanges), not dropped."""
        seen: set[str] = set()
        for e in self.exchanges:
            if start <= e.occurred_at < end:
                seen.update(_known(dimension, e.a, e.b))
        for i in self.introductions:
            if any(_in(moment, start, end) for moment in i.moments):
                seen.update(_known(dimension, i.requester, i.target))
        return sorted(seen)

    def is_empty(self, start: datetime, end: datetime) -> bool:
        return not any(start <= e.occurred_at < end for e in self.exchanges) and not any(
            _in(moment, start, end) for i in self.introductions for moment in i.moments
        )


def _known(dimension: str, *sides: Side) -> list[str]:
    """The sides' countries (or sectors), where known."""
    return [v for v in (getattr(side, dimension) for side in sides) if v]


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


# --- one window --------------------------------------------------------------------------------------


@dataclass
class Window:
    """The data of one window, with the exchanges before it (for new and repeat ties)."""

    start: datetime
    end: datetime
    exchanges: list[ExchangeRecord]
    earlier_ties: set[frozenset[str]]
    introductions: list[IntroductionRecord]

    @classmethod
    def of(cls, data: Dataset, start: datetime, end: datetime) -> Window:
        inside = [e for e in data.exchanges if start <= e.occurred_at < end]
        earlier = {e.tie for e in data.exchanges if e.occurred_at < start and e.tie is not None}
        return cls(start, end, inside, earlier, data.introductions)

    def intros_where(self, moment: Callable[[IntroductionRecord], datetime | None]) -> list[IntroductionRecord]:
        return [i for i in self.introductions if _in(moment(i), self.start, self.end)]

    @property
    def ties(self) -> set[frozenset[str]]:
        return {e.tie for e in self.exchanges if e.tie is not None}

    @property
    def ratings(self) -> list[int]:
        return [r for i in self.intros_where(lambda i: i.met_at) for r in i.ratings]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _count_sides(exchanges: Iterable[ExchangeRecord], attribute: str) -> int:
    return len({v for e in exchanges for v in (getattr(e.a, attribute), getattr(e.b, attribute)) if v})


def _most_frequent(counts: Counter[str]) -> str | None:
    """The value seen most often; a tie goes to the first alphabetically. None when nothing is known."""
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else None


def organisation_profiles(exchanges: Iterable[ExchangeRecord]) -> dict[str, Side]:
    """Each organisation's sector and country as its exchanges give them. Members of one organisation may
    give different sectors (or countries), so each is the known value on most of the organisation's sides of
    those exchanges, a tie going to the first alphabetically: the same whatever order the rows come in."""
    sectors: dict[str, Counter[str]] = {}
    countries: dict[str, Counter[str]] = {}
    for e in exchanges:
        for side in (e.a, e.b):
            if not side.organisation:
                continue
            sectors.setdefault(side.organisation, Counter()).update([side.sector] if side.sector else [])
            countries.setdefault(side.organisation, Counter()).update([side.country] if side.country else [])
    return {
        organisation: Side(organisation, _most_frequent(sectors[organisation]), _most_frequent(countries[organisation]))
        for organisation in sectors
    }


def brokers(exchanges: Iterable[ExchangeRecord]) -> list[str]:
    """Organisations that link two others which have no tie to each other and differ in sector or country
    (each organisation's sector and country as `organisation_profiles` decides)."""
    exchanges = list(exchanges)
    neighbours: dict[str, set[str]] = {}
    profile = organisation_profiles(exchanges)
    for e in exchanges:
        if e.tie is not None:
            first, second = sorted(e.tie)
            neighbours.setdefault(first, set()).add(second)
            neighbours.setdefault(second, set()).add(first)
    found = []
    for organisation, linked in sorted(neighbours.items()):
        for left, right in combinations(sorted(linked), 2):
            if right in neighbours[left]:
                continue
            p, q = profile[left], profile[right]
            if known_and_different(p.sector, q.sector) or known_and_different(p.country, q.country):
                found.append(organisation)
                break
    return found


def _hours_to_accept(w: Window) -> float | None:
    waits = [(i.accepted_at - i.requested_at).total_seconds() / 3600 for i in w.intros_where(lambda i: i.accepted_at)]
    return statistics.median(waits) if waits else None


def _acceptance_rate(w: Window) -> float | None:
    accepted = len(w.intros_where(lambda i: i.accepted_at))
    decided = accepted + len(w.intros_where(lambda i: i.declined_at)) + len(w.intros_where(lambda i: i.expired_at))
    return _share(accepted, decided)


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    group: str
    unit: str  # count, share, hours, rating
    compute: Callable[[Window], float | int | None]
    definition: str


INDICATORS: tuple[Indicator, ...] = (
    # Immediate value: activity and answers
    Indicator("exchanges", "Exchanges", "immediate", "count", lambda w: len(w.exchanges),
              "Exchanges that happened in the window."),
    Indicator("cross_border_share", "Cross-border share", "immediate", "share",
              lambda w: _share(sum(e.cross_border for e in w.exchanges), len(w.exchanges)),
              "Exchanges whose two sides have known, different countries, divided by all exchanges."),
    Indicator("cross_sector_share", "Cross-sector share", "immediate", "share",
              lambda w: _share(sum(e.cross_sector for e in w.exchanges), len(w.exchanges)),
              "Exchanges whose two sides have known, different sectors, divided by all exchanges."),
    Indicator("cross_organisation_share", "Cross-organisation share", "immediate", "share",
              lambda w: _share(sum(e.cross_organisation for e in w.exchanges), len(w.exchanges)),
              "Exchanges whose two sides have known, different organisations, divided by all exchanges."),
    Indicator("answers", "Questions answered", "immediate", "count",
              lambda w: sum(e.kind in ANSWER_KINDS for e in w.exchanges),
              "Exchanges of kind question_answered, thread_reply or community_answer."),
    Indicator("answers_with_source", "Answers with a source", "immediate", "count",
              lambda w: sum(e.kind in ANSWER_KINDS and e.with_source for e in w.exchanges),
              "Answers (as above) that cited a source."),
    Indicator("event_attendances", "Event attendances", "immediate", "count",
              lambda w: sum(e.kind == EVENT_KIND for e in w.exchanges),
              "Exchanges of kind event_attended (one per attendee and event)."),
    Indicator("event_attendance_sectors", "Sectors among event attendees", "immediate", "count",
              lambda w: len({e.a.sector for e in w.exchanges if e.kind == EVENT_KIND and e.a.sector}),
              "Distinct known sectors of the attendees (side a) of event_attended exchanges."),
    Indicator("intros_requested", "Introductions requested", "immediate", "count",
              lambda w: len(w.intros_where(lambda i: i.requested_at)),
              "Introductions requested in the window."),
    # Potential value: new ties and reach
    Indicator("new_ties", "New ties", "potential", "count",
              lambda w: len(w.ties - w.earlier_ties),
              "Pairs of organisations with an exchange in the window and none ever before it."),
    Indicator("reach_organisations", "Organisations reached", "potential", "count",
              lambda w: _count_sides(w.exchanges, "organisation"),
              "Distinct known organisations on either side of the window's exchanges."),
    Indicator("reach_sectors", "Sectors reached", "potential", "count",
              lambda w: _count_sides(w.exchanges, "sector"),
              "Distinct known sectors on either side of the window's exchanges."),
    Indicator("reach_countries", "Countries reached", "potential", "count",
              lambda w: _count_sides(w.exchanges, "country"),
              "Distinct known countries on either side of the window's exchanges."),
    Indicator("brokers", "Broker organisations", "potential", "count",
              lambda w: len(brokers(w.exchanges)),
              "Organisations tied in the window to two organisations that have no tie to each other in the "
              "window and differ from each other in sector or country."),
    Indicator("intros_accepted", "Introductions accepted", "potential", "count",
              lambda w: len(w.intros_where(lambda i: i.accepted_at)),
              "Introductions accepted in the window."),
    Indicator("acceptance_rate", "Acceptance rate", "potential", "share", _acceptance_rate,
              "Introductions accepted in the window, divided by those accepted, declined or expired in it."),
    Indicator("median_hours_to_accept", "Median time to accept", "potential", "hours", _hours_to_accept,
              "Median of (accepted − requested), in hours, over the introductions accepted in the window."),
    # Applied value: meetings and repeat collaboration
    Indicator("intros_met", "Introductions that led to a meeting", "applied", "count",
              lambda w: len(w.intros_where(lambda i: i.met_at)),
              "Introductions whose meeting was confirmed in the window."),
    Indicator("repeat_ties", "Repeat ties", "applied", "count",
              lambda w: len(w.ties & w.earlier_ties),
              "Pairs of organisations with an exchange in the window and at least one before it."),
    # Realised value: self-reported usefulness
    Indicator("ratings", "Usefulness ratings", "realised", "count", lambda w: len(w.ratings),
              "Ratings (1-5, one per side) of introductions whose meeting was confirmed in the window."),
    Indicator("mean_usefulness", "Mean usefulness", "realised", "rating", lambda w: _mean(w.ratings),
              "Mean of those ratings."),
    Indicator("useful_share", "Rated useful (4-5)", "realised", "share",
              lambda w: _share(sum(r >= USEFUL_FROM for r in w.ratings), len(w.ratings)),
              "Ratings of 4 or 5, divided by all those ratings."),
)
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
HEADLINE_KEYS = (
    "exchanges",
    "cross_border_share",
    "cross_sector_share",
    "answers_with_source",
    "event_attendances",
    "event_attendance_sectors",
    "intros_requested",
    "intros_accepted",
    "acceptance_rate",
    "median_hours_to_accept",
    "new_ties",
    "reach_organisations",
    "brokers",
    "intros_met",
    "repeat_ties",
    "mean_usefulness",
)


def compute(
    data: Dataset, start: datetime, end: datetime, keys: Iterable[str] | None = None
) -> dict[str, float | int | None]:
    window = Window.of(data, start, end)
    return {key: BY_KEY[key].compute(window) for key in (keys or BY_KEY)}


# --- periods ----------------------------------------------------------------------------------------


async def load_dataset(session: AsyncSession, end: datetime) -> Dataset:
    """Every exchange and introduction before `end` (earlier history decides new vs repeat ties)."""
    exchange_rows = (
        await session.execute(select(Exchange).where(Exchange.occurred_at < end).order_by(Exchange.occurred_at))
    ).scalars()
    exchanges = [
        ExchangeRecord(
            kind=row.kind,
            occurred_at=row.occurred_at,
            a=Side(row.organisation_a, row.sector_a, row.country_a),
            b=Side(row.organisation_b, row.sector_b, row.country_b),
            with_source=row.with_source,
        )
        for row in exchange_rows
    ]
    intro_rows = (await session.execute(select(Introduction).where(Introduction.requested_at < end))).scalars().all()
    first_at: dict[tuple[int, str], datetime] = {}
    transition_rows = await session.execute(
        select(IntroductionTransition.introduction_id, IntroductionTransition.to_state, IntroductionTransition.at)
        .where(IntroductionTransition.at < end)
        .order_by(IntroductionTransition.at, IntroductionTransition.id)
    )
    for intro_id, state, at in transition_rows:
        first_at.setdefault((intro_id, state), at)
    introductions = []
    for row in intro_rows:
        ratings = tuple(r for r in (row.requester_usefulness, row.target_usefulness) if r is not None)
        introductions.append(
            IntroductionRecord(
                requested_at=row.requested_at,
                requester=_side(row.requester_snapshot),
                target=_side(row.target_snapshot),
                accepted_at=first_at.get((row.id, "accepted")),
                declined_at=first_at.get((row.id, "declined")),
                expired_at=first_at.get((row.id, "expired")),
                met_at=first_at.get((row.id, "met")),
                ratings=ratings,
            )
        )
    return Dataset(exchanges, introductions)


def _side(snapshot: dict | None) -> Side:
    snapshot = snapshot or {}
    return Side(snapshot.get("organisation"), snapshot.get("sector"), snapshot.get("country"))
