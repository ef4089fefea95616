"""A member's introductions, for `intro list`: requests waiting for their answer, and the rest, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from bot.intros.leaving import withdraw_orphaned
from bot.intros.service import ACCEPTED, DECLINED, EXPIRED, MET, NOT_MET, REQUESTED, TAKEN_BACK, expire_overdue
from storage.models import Introduction, Member

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass
class Listing:
    waiting_for_me: list[tuple[Introduction, Member | None]]
    my_requests: list[tuple[Introduction, Member | None]]
    connected: list[tuple[Introduction, Member | None]]
    # Requests to the member that closed without an introduction: they said no, nobody answered in time, or the
    # requester took it back.
    # (A request withdrawn because its requester left is not listed: docs/introductions.md, step 7.)
    closed_for_me: list[tuple[Introduction, Member | None]]


async def list_for(core: Runtime, member: Member, *, limit: int = 20) -> Listing:
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        await expire_overdue(session, now, member_id=member.id)
        await withdraw_orphaned(session, now, member_id=member.id)
        rows = (
            await session.execute(
                select(Introduction)
                .where(or_(Introduction.requester_id == member.id, Introduction.target_id == member.id))
                .order_by(Introduction.requested_at.desc(), Introduction.id.desc())
                .limit(limit)
            )
        ).scalars().all()
        others = {}
        for intro in rows:
            other_id = _other_id(intro, member)
            if other_id is not None and other_id not in others:
                others[other_id] = await session.get(Member, other_id)
    listing = Listing([], [], [], [])
    for intro in rows:
        _file_entry(listing, (intro, others.get(_other_id(intro, member))), member)
    return listing


def _other_id(intro: Introduction, member: Member) -> int | None:
    return intro.target_id if intro.requester_id == member.id else intro.requester_id


def _file_entry(listing: Listing, entry: tuple[Introduction, Member | None], member: Member) -> None:
    intro = entry[0]
    if intro.state in (ACCEPTED, MET, NOT_MET):
        listing.connected.append(entry)
    elif intro.requester_id == member.id:
        listing.my_requests.append(entry)
    elif intro.state == REQUESTED:
        listing.waiting_for_me.append(entry)
    elif intro.state in (DECLINED, EXPIRED, TAKEN_BACK):
        listing.closed_for_me.append(entry)
