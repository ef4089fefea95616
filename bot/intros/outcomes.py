"""What came of an introduction: whether the two met (reported by either), and how useful each found it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.indicators.exchanges import MEETING_CONFIRMED, record_introduction_exchange
from bot.intros.errors import (
    DidNotGoAhead,
    NoIntroductionForYou,
    RatingOutOfRange,
    RatingWithoutMeeting,
)
from bot.intros.service import (
    ACCEPTED,
    MET,
    NOT_MET,
    combined_usefulness,
    load_introduction,
    make_transition,
    members_of,
    own_rating,
)
from storage.models import Introduction, Member

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def _party_intro(session: AsyncSession, intro_id: int, member: Member) -> Introduction:
    intro = await load_introduction(session, intro_id)
    if intro is None or member.id not in (intro.requester_id, intro.target_id):
        raise NoIntroductionForYou(intro_id)
    if intro.state not in (ACCEPTED, MET, NOT_MET):
        raise DidNotGoAhead(intro_id)
    return intro


async def _confirm_meeting(
    session: AsyncSession, intro_id: int, member: Member, now: datetime, *, from_states: tuple[str, ...]
) -> bool:
    """One of `from_states` -> met, recording the `meeting_confirmed` exchange once."""
    moved = False
    for from_state in from_states:
        moved = await make_transition(
            session, intro_id, from_state=from_state, to_state=MET, now=now, actor_id=member.id,
            values={"outcome_at": now},
        )
        if moved:
            break
    if not moved:
        return False
    intro = await load_introduction(session, intro_id)
    requester, target = await members_of(session, intro)
    await record_introduction_exchange(session, intro, requester, target, kind=MEETING_CONFIRMED, occurred_at=now)
    return True


@dataclass(frozen=True)
class MeetingNoted:
    """`intro met`: what the member said (`met`), whether it changed the introduction (`changed`), its state
    now, and whether this member has rated it."""

    intro_id: int
    met: bool
    changed: bool
    state: str
    rated: bool


async def record_meeting(core: Runtime, member: Member, intro_id: int, *, met: bool) -> MeetingNoted:
    """`intro met <id> yes|no`."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        intro = await _party_intro(session, intro_id, member)
        if met:
            moved = await _confirm_meeting(session, intro_id, member, now, from_states=(ACCEPTED, NOT_MET))
        else:
            moved = await make_transition(
                session, intro_id, from_state=ACCEPTED, to_state=NOT_MET, now=now, actor_id=member.id,
                values={"outcome_at": now},
            )
        intro = await load_introduction(session, intro_id)
        return MeetingNoted(intro_id, met, moved, intro.state, own_rating(intro, member) is not None)


async def rate(core: Runtime, member: Member, intro_id: int, score: int) -> None:
    """`intro rate <id> 1-5`: each side rates its meeting for itself.

    A rating on an accepted introduction also means the meeting happened. After either side said "we did
    not meet", a rating is refused: only an explicit `intro met <id> yes` turns that "no" into a meeting,
    so a rating never makes a meeting out of a "no" (docs/indicators.md, `intros_met`)."""
    if not 1 <= score <= 5:
        raise RatingOutOfRange()
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        intro = await _party_intro(session, intro_id, member)
        await _confirm_meeting(session, intro_id, member, now, from_states=(ACCEPTED,))
        column = "requester_usefulness" if intro.requester_id == member.id else "target_usefulness"
        rated = await session.execute(
            update(Introduction)
            .where(Introduction.id == intro_id, Introduction.state == MET)
            .values({column: score})
            .execution_options(synchronize_session=False)
        )
        if rated.rowcount != 1:  # not_met: checked by the same UPDATE, so a concurrent "no" cannot slip past
            raise RatingWithoutMeeting(intro_id)
        intro = await load_introduction(session, intro_id)  # the row is locked by our update: both ratings are current
        intro.usefulness = combined_usefulness(intro.requester_usefulness, intro.target_usefulness)
