"""A member's pause: no new introduction requests to them until a date (`intro pause`, `intro resume`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update

from bot.intros.errors import PauseOutOfRange
from bot.intros.service import MAX_PAUSE_WEEKS
from storage.models import Member

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def pause(core: Runtime, member: Member, weeks: int) -> datetime:
    if not 1 <= weeks <= MAX_PAUSE_WEEKS:
        raise PauseOutOfRange(MAX_PAUSE_WEEKS)
    until = core.clock.now() + timedelta(weeks=weeks)
    async with core.db.session() as session, session.begin():
        await session.execute(update(Member).where(Member.id == member.id).values(intro_paused_until=until))
    return until


async def resume(core: Runtime, member: Member) -> bool:
    """Clear a pause; False when there was none."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        result = await session.execute(
            update(Member)
            .where(Member.id == member.id, Member.intro_paused_until.is_not(None), Member.intro_paused_until > now)
            .values(intro_paused_until=None)
        )
        return result.rowcount == 1
