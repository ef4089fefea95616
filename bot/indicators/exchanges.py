"""Recording knowledge-transfer exchanges: who (organisation, sector, country), never what was said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Exchange, Member


def profile_snapshot(member: Member | None) -> dict[str, str | None]:
    if member is None:
        return {"organisation": None, "sector": None, "country": None}
    organisation = member.organisation.name if member.organisation else None
    return {"organisation": organisation, "sector": member.sector, "country": member.country}


def known_and_different(a: str | None, b: str | None) -> bool:
    """The cross-organisation/sector/border rule. Unknown on either side is not "cross": the indicators
    must not be inflated by gaps in profiles."""
    return a is not None and b is not None and a != b


async def record_exchange(
    session: AsyncSession,
    *,
    kind: str,
    occurred_at: datetime,
    a: Member | None,
    b: Member | None,
    a_snapshot: dict | None = None,
    b_snapshot: dict | None = None,
    platform: str | None = None,
    channel_id: str | None = None,
    guild_id: str | None = None,
    dedupe_key: str | None = None,
    introduction_id: int | None = None,
    event_id: int | None = None,
    with_source: bool = False,
) -> Exchange | None:
    """Add one exchange; None when `dedupe_key` was recorded already (a retried delivery, a double click).

    A member who opted out of exchange logging is kept out by id; their organisation, sector and country
    still count, so the aggregates stay right while the row cannot be traced back to them.
    """
    if dedupe_key is not None:
        existing = await session.execute(select(Exchange.id).where(Exchange.dedupe_key == dedupe_key))
        if existing.first() is not None:
            return None
    side_a = a_snapshot or profile_snapshot(a)
    side_b = b_snapshot or profile_snapshot(b)
    exchange = Exchange(
        kind=kind,
        occurred_at=occurred_at,
        platform=platform,
        channel_id=channel_id,
        guild_id=guild_id,
        member_a_id=a.id if a is not None and a.consent_exchange_logging else None,
        member_b_id=b.id if b is not None and b.consent_exchange_logging else None,
        organisation_a=side_a["organisation"],
        sector_a=side_a["sector"],
        country_a=side_a["country"],
        organisation_b=side_b["organisation"],
        sector_b=side_b["sector"],
        country_b=side_b["country"],
        cross_organisation=known_and_different(side_a["organisation"], side_b["organisation"]),
        cross_sector=known_and_different(side_a["sector"], side_b["sector"]),
        cross_border=known_and_different(side_a["country"], side_b["country"]),
        with_source=with_source,
        introduction_id=introduction_id,
        event_id=event_id,
        dedupe_key=dedupe_key,
    )
    try:
        async with session.begin_nested():
            session.add(exchange)
    except IntegrityError:  # another process recorded the same key in between
        return None
    return exchange
