"""Headline measures: a few indicators for a period, the rolling comparison `kpi` shows, and how values read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.indicators.periods import rolling_windows
from bot.indicators.service import (
    BY_KEY,
    HEADLINE_KEYS,
    ROLLING_DAYS,
    compute,
    load_dataset,
)

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    group: str
    unit: str
    value: float | int | None

    @property
    def display(self) -> str:
        return format_value(self.unit, self.value)


def measures(values: dict[str, float | int | None]) -> list[Measure]:
    return [Measure(k, BY_KEY[k].label, BY_KEY[k].group, BY_KEY[k].unit, v) for k, v in values.items()]


async def headline_indicators(session: AsyncSession, start: datetime, end: datetime) -> list[Measure]:
    """The headline numbers for [start, end), in report order (for `kpi` and digests)."""
    data = await load_dataset(session, end)
    return measures(compute(data, start, end, HEADLINE_KEYS))


@dataclass(frozen=True)
class RollingComparison:
    """`kpi`: the headline numbers of the last N days next to those of the N days before."""

    days: int
    window: tuple[datetime, datetime]
    previous_window: tuple[datetime, datetime]
    current: list[Measure]
    previous: dict[str, float | int | None]
    answers: int

    @property
    def empty(self) -> bool:
        """Nothing at all recorded in either window."""
        return all(m.value in (0, None) for m in self.current) and all(v in (0, None) for v in self.previous.values())

    def value(self, key: str) -> float | int | None:
        return next(m.value for m in self.current if m.key == key)


async def rolling_comparison(core: Runtime, period: str) -> RollingComparison:
    (start, end), (previous_start, previous_end) = rolling_windows(core.clock.now(), period)
    async with core.db.session() as session:
        data = await load_dataset(session, end)
    values = compute(data, start, end, (*HEADLINE_KEYS, "answers"))
    return RollingComparison(
        days=ROLLING_DAYS[period],
        window=(start, end),
        previous_window=(previous_start, previous_end),
        current=measures({key: values[key] for key in HEADLINE_KEYS}),
        previous=compute(data, previous_start, previous_end, HEADLINE_KEYS),
        answers=values["answers"],
    )


def format_value(unit: str, value: float | int | None) -> str:
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.0f}%"
    if unit == "hours":
        return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"
    if unit == "rating":
        return f"{value:.1f} / 5"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


NO_EARLIER_FIGURE = "no earlier figure"


def format_change(unit: str, current: float | int | None, previous: float | int | None) -> str:
    """"+3, +25%", "−5 pts", "no change"; "no earlier figure" when the period before had none (a share or
    mean of nothing), "was 40%" when this period has none."""
    if current is None or previous is None:
        return _change_with_a_gap(unit, current, previous)
    delta = current - previous
    if abs(delta) < 1e-9:
        return "no change"
    sign = "+" if delta > 0 else "−"
    if unit in _CHANGE_FORMATS:
        return sign + _CHANGE_FORMATS[unit](abs(delta))
    relative = f", {sign}{abs(delta) / previous * 100:.0f}%" if previous else ""
    return f"{sign}{abs(delta):,}{relative}"


def _change_with_a_gap(unit: str, current: float | None, previous: float | None) -> str:
    if current is None and previous is None:
        return ""
    return NO_EARLIER_FIGURE if previous is None else f"was {format_value(unit, previous)}"


# How a change's size is written for each unit that is not a plain count.
_CHANGE_FORMATS = {
    "share": lambda size: f"{size * 100:.0f} pts",
    "hours": lambda size: f"{size:.1f} h",
    "rating": lambda size: f"{size:.1f}",
}
