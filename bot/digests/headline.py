"""Headline indicators for a digest period, taken from the indicators module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.indicators.measures import headline_indicators

DIGEST_KEYS = ("exchanges", "cross_border_share", "cross_sector_share", "intros_accepted")


@dataclass(frozen=True)
class HeadlineFigure:
    label: str
    value: str  # as shown: "3", "67%"


async def headline_fields(session: AsyncSession, start: datetime, end: datetime) -> list[HeadlineFigure]:
    """A few indicators for [start, end); none when there was no activity to report."""
    by_key = {measure.key: measure for measure in await headline_indicators(session, start, end)}
    if not by_key["exchanges"].value and not by_key["intros_accepted"].value:
        return []
    return [
        HeadlineFigure(by_key[key].label, by_key[key].display) for key in DIGEST_KEYS if by_key[key].value is not None
    ]
