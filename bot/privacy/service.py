"""A member's data: what is held about them, and what the `privacy` command asks for.

Consent flags are in `consent`, the export in `export`, confirmation tokens and erasure in `erasure`;
erasure deletes the person and keeps the community's numbers right (see there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import about_member_clause
from bot.community import member_data as community_data
from bot.privacy.consent import ConsentFlag, set_consent
from bot.privacy.erasure import (
    ERASE_PURPOSE,
    ErasureReport,
    erase_member,
    issue_confirmation,
    redeem_confirmation,
)
from bot.privacy.errors import AlreadyErased, ConfirmationInvalid
from bot.privacy.export import export_member_data
from storage.models import (
    RSVP,
    AuditEntry,
    Document,
    Event,
    Exchange,
    Introduction,
    Member,
    ReplyPage,
    utcnow,
)
from storage.tombstones import erased_hashes, identity_key

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass
class HeldData:
    """Counts of what is held about one member, for the plain-words summary."""

    identities: list[str]
    introductions: int
    exchanges: int
    rsvps: int
    audit_entries: int
    expert_documents: int
    events_organised: int
    # Questions you asked the community and answers you gave (their text is kept: you posted it to be read).
    community_posts: int = 0
    # Answers with later pages kept for "More" (each names the question it answers), for PAGE_TTL.
    answer_pages: int = 0


async def held_data(session: AsyncSession, member: Member) -> HeldData:
    async def count(statement: Any) -> int:
        return int((await session.execute(statement)).scalar_one())

    return HeldData(
        identities=[f"{i.platform}" for i in member.identities],
        introductions=await count(
            select(func.count(Introduction.id)).where(
                or_(Introduction.requester_id == member.id, Introduction.target_id == member.id)
            )
        ),
        exchanges=await count(
            select(func.count(Exchange.id)).where(
                or_(Exchange.member_a_id == member.id, Exchange.member_b_id == member.id)
            )
        ),
        rsvps=await count(select(func.count(RSVP.id)).where(RSVP.member_id == member.id)),
        audit_entries=await count(select(func.count(AuditEntry.id)).where(about_member_clause(member.id))),
        expert_documents=await count(select(func.count(Document.id)).where(Document.member_id == member.id)),
        events_organised=await count(select(func.count(Event.id)).where(Event.organiser_id == member.id)),
        community_posts=await community_data.count_posts(session, member.id),
        answer_pages=await count(select(func.count(ReplyPage.id)).where(ReplyPage.member_id == member.id)),
    )


# --- what the `privacy` command asks for: each opens its own session ------------------------------


@dataclass
class Overview:
    """The member as stored now (their consent flags) and the counts of what is held about them."""

    member: Member
    held: HeldData


async def overview(core: Runtime, member_id: int) -> Overview:
    async with core.db.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        return Overview(member, await held_data(session, member))


async def change_consent(core: Runtime, member_id: int, flag: ConsentFlag, value: bool) -> int:
    """`set_consent` in a transaction of its own; returns how many past exchanges were unlinked."""
    async with core.db.session() as session, session.begin():
        unlinked = await set_consent(session, member_id, flag, value, core.clock.now())
    core.knowledge.index.invalidate()  # this process's next search sees the change at once, not within seconds
    return unlinked


async def export_for(core: Runtime, member_id: int) -> dict[str, Any]:
    await core.paginator.flush()  # the pages of an answer just given are theirs too
    async with core.db.session() as session:
        return await export_member_data(session, member_id, core.clock.now())


async def ask_to_erase(core: Runtime, member_id: int) -> str:
    """A one-time token that confirms the erasure (valid for ERASE_CONFIRMATION_TTL)."""
    async with core.db.session() as session, session.begin():
        return await issue_confirmation(session, member_id, ERASE_PURPOSE, core.clock.now())


async def erase_confirmed(
    core: Runtime, member_id: int, token: str, *, account: tuple[str, str] | None = None
) -> ErasureReport:
    """Erase the member if `token` is their valid confirmation; ConfirmationInvalid (nothing erased) otherwise.

    The button pressed again (a double click, a second press later) comes from an account (`account`,
    platform and user id) that was erased, and its press started a new, empty profile moments ago (as any
    message after an erasure does): AlreadyErased says the data is gone, rather than "nothing was erased"."""
    now = core.clock.now()
    await core.paginator.flush()  # no page of theirs is stored after the erasure
    async with core.db.session() as session, session.begin():
        if not await redeem_confirmation(session, member_id, ERASE_PURPOSE, token, now):
            if account is not None and await _started_by_this_press(session, member_id, account):
                raise AlreadyErased()
            raise ConfirmationInvalid()
        report = await erase_member(session, member_id, now)
    core.knowledge.index.invalidate()
    return report


# How new a profile is that the press of an erasure button started (first contact of an erased account).
JUST_STARTED = timedelta(minutes=1)


async def _started_by_this_press(session: AsyncSession, member_id: int, account: tuple[str, str]) -> bool:
    """Whether the account was erased, by this press's twin: this member row is gone (two presses at once,
    the other one erased it) or is the one this press just started."""
    if not await erased_hashes(session, [identity_key(*account)]):
        return False
    if await session.scalar(select(Member.id).where(Member.id == member_id)) is None:
        return True
    fresh = await session.scalar(
        select(Member.id).where(Member.id == member_id, Member.created_at >= utcnow() - JUST_STARTED)
    )
    return fresh is not None
