"""Headline indicators for a digest period.

Kept apart on purpose: the digest only calls `headline_fields`, so once the indicators module exists
this body can call it instead, without touching the digest. Until then it counts exchanges directly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply import Field
from storage.models import Exchange


async def headline_fields(session: AsyncSession, start: datetime, end: datetime) -> list[Field]:
    """Exchanges in [start, end) and the cross-border share; no fields when nothing was logged."""
    total, cross_border = (
        await session.execute(
            select(
                func.count(Exchange.id),
                func.coalesce(func.sum(case((Exchange.cross_border, 1), else_=0)), 0),
            ).where(Exchange.occurred_at >= start, Exchange.occurred_at < end)
        )
    ).one()
    if not total:
        return []
    share = round(100 * cross_border / total)
    return [
        Field("Knowledge exchanges", f"{total}"),
        Field("Across borders", f"{cross_border} of {total} ({share}%)"),
    ]
