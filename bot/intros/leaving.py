"""When a member leaves (erases their data), their introduction requests that are still open close as
`withdrawn`, whichever side they were on, so nobody can accept a request from or to someone who is gone.

Open means what the requester sees as open: waiting for the target's answer (`requested`), or declined but
not yet at its closing time (a decline must read like no answer, so both kinds close together). A withdrawn
request still counts as requested, and in no other indicator: not as accepted, declined or expired, not as an
exchange, not in the acceptance rate (docs/indicators.md), so the community's numbers stay what they were.
The request's expiry job is cancelled: there is nobody left to answer it, and no note is sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.intros.service import DECLINED, REQUESTED, WITHDRAWN, expire_key, expire_overdue, make_transition
from bot.scheduler import cancel_jobs
from storage.models import Introduction


def _still_open(now: datetime):  # noqa: ANN202 - a SQL condition
    return or_(Introduction.state == REQUESTED, and_(Introduction.state == DECLINED, Introduction.expires_at > now))


async def _withdraw(session: AsyncSession, now: datetime, *conditions) -> int:  # noqa: ANN002 - SQL conditions
    rows = (await session.execute(select(Introduction.id, Introduction.state).where(_still_open(now), *conditions))).all()
    withdrawn = 0
    for intro_id, state in rows:
        # Conditional like every transition: an answer committed a moment ago wins, and is left alone.
        if await make_transition(session, intro_id, from_state=state, to_state=WITHDRAWN, now=now, actor_id=None):
            await cancel_jobs(session, key_prefix=expire_key(intro_id))
            withdrawn += 1
    return withdrawn


async def withdraw_requests_of(session: AsyncSession, member_id: int, now: datetime) -> int:
    """Close the member's open requests, asked by them or of them, in the erasure's transaction (before
    their id leaves the rows). Requests already past their closing time expire, as they would have."""
    await expire_overdue(session, now, member_id=member_id)
    return await _withdraw(
        session, now, or_(Introduction.requester_id == member_id, Introduction.target_id == member_id)
    )


async def withdraw_orphaned(session: AsyncSession, now: datetime, *, member_id: int) -> int:
    """Close `member_id`'s open requests whose other side is already gone: erased before erasure closed
    requests, so such rows may still be stored."""
    return await _withdraw(
        session,
        now,
        or_(
            and_(Introduction.requester_id == member_id, Introduction.target_id.is_(None)),
            and_(Introduction.target_id == member_id, Introduction.requester_id.is_(None)),
        ),
    )
