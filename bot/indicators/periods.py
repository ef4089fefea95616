"""Reporting periods: calendar weeks, months and quarters clipped to a range, and rolling windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.indicators.service import ROLLING_DAYS


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str
    partial: bool = False  # clipped to the range: fewer days than the calendar period


def period_floor(moment: datetime, period: str) -> datetime:
    """The start (UTC midnight) of the calendar week (Monday), month or quarter holding `moment`."""
    moment = moment.astimezone(UTC)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(day=1, month=3 * ((day.month - 1) // 3) + 1)
    raise ValueError(f"unknown period {period!r}")


def _next(start: datetime, period: str) -> datetime:
    if period == "week":
        return start + timedelta(days=7)
    months = 1 if period == "month" else 3
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


def period_label(start: datetime, period: str) -> str:
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{start:%Y-%m}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def periods(start: datetime, end: datetime, period: str) -> list[Period]:
    """Calendar periods covering [start, end), the first and last clipped to it."""
    found = []
    cursor = period_floor(start, period)
    while cursor < end:
        following = _next(cursor, period)
        clipped = cursor < start or following > end
        found.append(Period(max(cursor, start), min(following, end), period_label(cursor, period), clipped))
        cursor = following
    return found


def rolling_windows(now: datetime, period: str) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """(the last N days up to now, the N days before them)."""
    length = timedelta(days=ROLLING_DAYS[period])
    return (now - length, now), (now - 2 * length, now - length)


