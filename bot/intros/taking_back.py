"""A requester taking back a request of theirs (`intro withdraw <id>`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.intros.errors import NoLongerOpen, NoRequestOfYours
from bot.intros.service import (
    ACCEPTED,
    DECLINED,
    MET,
    NOT_MET,
    REQUESTED,
    TAKEN_BACK,
    expire_key,
    expire_overdue,
    load_introduction,
    make_transition,
)
from bot.scheduler import cancel_jobs
from storage.models import Introduction, Member

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def take_back(core: Runtime, member: Member, intro_id: int) -> tuple[Introduction, Member | None]:
    """The requester takes back a request still open to them: waiting for an answer, or declined without
    their knowing (it is taken back all the same, so they still cannot tell). It closes at once; its expiry
    sends no note, and an answer pressed later says it was taken back. Returns it with the member asked."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        await expire_overdue(session, now, intro_id=intro_id)
        intro = await load_introduction(session, intro_id)
        if intro is None or intro.requester_id != member.id:
            raise NoRequestOfYours(intro_id)  # the same words whether it does not exist or is someone else's
        moved = intro.state in (REQUESTED, DECLINED) and await make_transition(
            session, intro_id, from_state=intro.state, to_state=TAKEN_BACK, now=now, actor_id=member.id,
            where=(Introduction.expires_at > now,),
        )
        if not moved:
            intro = await load_introduction(session, intro_id)
            raise NoLongerOpen(intro_id, introduced=intro is not None and intro.state in (ACCEPTED, MET, NOT_MET))
        await cancel_jobs(session, key_prefix=expire_key(intro_id))
        intro = await load_introduction(session, intro_id)
        return intro, await session.get(Member, intro.target_id) if intro.target_id else None
