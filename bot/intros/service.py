"""Introductions with consent: a state machine in storage whose every transition happens once.

    requested -> accepted | declined | expired | withdrawn ;  accepted -> met | not_met ;  not_met -> met

Each transition is ONE conditional UPDATE (`... WHERE id = :id AND state = :expected`). Only the caller
whose UPDATE changed the row (rowcount 1) records the transition and acts on it (exchange, follow-up
job, messages), so two clicks, a retried delivery or two bot processes cause one transition.

Privacy: the requester never learns that a request was declined. A declined request looks, to them,
exactly like one that got no answer: open until its closing date, then "not available this time".

Messages to members (the request to the target, the introduction, the "closed" note and the follow-ups)
are decided and sent here, exactly once, but worded by the presentation: every function that sends takes
an `IntroNotices`, which `bot.intros.notices` implements (its `NOTICES`). The scheduled jobs that send are
registered in `bot.intros.commands`, which binds them to that wording.
Answers to the member who acted are returned as data (`Answered`, `MeetingNoted`, ...) for the views.

This module holds the state machine, requesting, answering, expiry, follow-up and the introduction
itself; meetings and ratings are in `outcomes`, a member's pause in `pausing`, `intro list` in `listing`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.indicators.exchanges import INTRO_ACCEPTED, profile_snapshot, record_introduction_exchange
from bot.intros.errors import (
    AlreadyAsked,
    AskedTwiceAtOnce,
    NoRequestForYou,
    ReasonTooLong,
    SelfIntroduction,
    TargetAskedFirst,
    TargetIsBot,
    TargetPaused,
    TargetTakesNoRequests,
    TooManyOpenRequests,
)
from bot.scheduler import cancel_jobs, schedule_job
from storage.models import Introduction, IntroductionTransition, Job, Member

if TYPE_CHECKING:
    from bot.reply import (
        Reply,  # only the type the notices return: the words are the views'
    )
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

class IntroState(StrEnum):
    """Where an introduction is: the word stored in `introductions.state`."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    MET = "met"
    NOT_MET = "not_met"
    WITHDRAWN = "withdrawn"  # was open when a side erased their data (bot.intros.leaving); counted only as requested
    TAKEN_BACK = "taken_back"  # its requester took it back while it was open to them; counted only as requested


class IntroJob(StrEnum):
    EXPIRE = "intro.expire"
    FOLLOWUP = "intro.followup"


REQUESTED, ACCEPTED, DECLINED, EXPIRED, MET, NOT_MET, WITHDRAWN, TAKEN_BACK = IntroState
# An answer moves a request only while both members exist: one whose side has left can never go ahead.
BOTH_SIDES_PRESENT = (Introduction.requester_id.is_not(None), Introduction.target_id.is_not(None))
MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 500
MAX_PAUSE_WEEKS = 52
EXPIRE_JOB, FOLLOWUP_JOB = IntroJob


class IntroNotices(Protocol):
    """The messages the introduction flow sends; each returns what `Runtime.notify` delivers (a Reply)."""

    def request_for_target(self, intro: Introduction, requester: Member, target: Member) -> Reply: ...

    def request_closed(self, intro: Introduction, target: Member | None) -> Reply: ...

    def introduction(
        self, intro: Introduction, requester: Member, target: Member, followup_days: int, *,
        reader: Member | None = None, other: Member | None = None,
    ) -> Reply: ...

    def followup(self, intro: Introduction, member: Member, other: Member | None, *, ask_meeting: bool) -> Reply: ...


def expire_key(intro_id: int) -> str:
    return f"intro:{intro_id}:expire"


def followup_key(intro_id: int) -> str:
    return f"intro:{intro_id}:followup"


def combined_usefulness(*ratings: int | None) -> int | None:
    """The mean of the ratings given, rounded half up (4 and 5 give 5)."""
    given = [r for r in ratings if r is not None]
    if not given:
        return None
    return (2 * sum(given) + len(given)) // (2 * len(given))


async def make_transition(
    session: AsyncSession,
    intro_id: int,
    *,
    from_state: str,
    to_state: str,
    now: datetime,
    actor_id: int | None,
    values: dict | None = None,
    where: tuple = (),
) -> bool:
    """Move one introduction from `from_state` to `to_state`; True only for the caller that moved it."""
    result = await session.execute(
        update(Introduction)
        .where(Introduction.id == intro_id, Introduction.state == from_state, *where)
        .values(state=to_state, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.add(
        IntroductionTransition(
            introduction_id=intro_id, from_state=from_state, to_state=to_state, at=now, actor_member_id=actor_id
        )
    )
    await session.flush()
    return True


async def load_introduction(session: AsyncSession, intro_id: int) -> Introduction | None:
    # populate_existing: a conditional UPDATE may just have changed the row behind the identity map.
    return await session.get(Introduction, intro_id, populate_existing=True)


async def members_of(session: AsyncSession, intro: Introduction) -> tuple[Member | None, Member | None]:
    requester = await session.get(Member, intro.requester_id) if intro.requester_id else None
    target = await session.get(Member, intro.target_id) if intro.target_id else None
    return requester, target


def own_rating(intro: Introduction, member: Member) -> int | None:
    return intro.requester_usefulness if member.id == intro.requester_id else intro.target_usefulness


def _open_for_requester(now: datetime):  # noqa: ANN202 - a SQL condition
    # Declined requests stay "open" for the requester until they close, so a decline cannot be told apart.
    return and_(Introduction.state.in_((REQUESTED, DECLINED)), Introduction.expires_at > now)


# --- requesting -------------------------------------------------------------------------------------


@dataclass
class RequestOutcome:
    introduction: Introduction
    delivered: bool
    # True when the two were already introduced: `introduction` is that one, and nothing new was stored.
    existing: bool = False


def check_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if len(text) > MAX_REASON_CHARS:
        raise ReasonTooLong(len(text), MAX_REASON_CHARS)
    return text


def check_target(requester: Member, target: Member, now: datetime) -> None:
    """Refuse, politely, a request that cannot be made: to yourself, a bot, or someone not taking requests."""
    if target.id == requester.id:
        raise SelfIntroduction()
    if target.is_bot:
        raise TargetIsBot(target.display_name)
    if not target.consent_introductions:
        raise TargetTakesNoRequests(target.display_name)
    if target.intro_paused_until is not None and target.intro_paused_until > now:
        raise TargetPaused(target.display_name)


def _connection(a_id: int, b_id: int):  # noqa: ANN202 - a SELECT
    """The latest introduction that went ahead between two members, whichever of them asked."""
    return (
        select(Introduction)
        .where(
            or_(
                and_(Introduction.requester_id == a_id, Introduction.target_id == b_id),
                and_(Introduction.requester_id == b_id, Introduction.target_id == a_id),
            ),
            Introduction.state.in_((ACCEPTED, MET, NOT_MET)),
        )
        .order_by(Introduction.responded_at.desc(), Introduction.id.desc())
        .limit(1)
    )


async def existing_introduction(core: Runtime, a: Member, b: Member) -> Introduction | None:
    """The introduction the two already have, if any: a second request is answered with it."""
    async with core.db.session() as session:
        return (await session.execute(_connection(a.id, b.id))).scalar()


async def check_no_open_request(core: Runtime, requester: Member, target: Member) -> None:
    """AlreadyAsked or TargetAskedFirst while a request between the two is open: said before the requester
    is asked for a reason the request could not use."""
    async with core.db.session() as session:
        await _no_open_request(session, requester, target, core.clock.now())


async def _no_open_request(session: AsyncSession, requester: Member, target: Member, now: datetime) -> None:
    asked_first = select(Introduction.id).where(
        Introduction.requester_id == target.id, Introduction.target_id == requester.id,
        Introduction.state == REQUESTED, Introduction.expires_at > now,
    )
    if (reverse := (await session.execute(asked_first)).scalar()) is not None:
        raise TargetAskedFirst(target.display_name, reverse)
    asked = select(Introduction).where(
        Introduction.requester_id == requester.id, Introduction.target_id == target.id, _open_for_requester(now)
    )
    if (same_pair := (await session.execute(asked)).scalar()) is not None:
        raise AlreadyAsked(target.display_name, same_pair.id, same_pair.expires_at, requester)


async def request_introduction(
    core: Runtime, requester: Member, target: Member, reason: str, *, platform: str, notices: IntroNotices
) -> RequestOutcome:
    """Record a request and send the target a direct message with Accept / Decline / Not now."""
    now = core.clock.now()
    settings = core.settings
    check_target(requester, target, now)
    async with core.db.session() as session, session.begin():
        await expire_overdue(session, now, pair=(requester.id, target.id))
        connected = (await session.execute(_connection(requester.id, target.id))).scalar()
        if connected is not None:  # already introduced, either way round: answer with that introduction
            return RequestOutcome(connected, delivered=False, existing=True)
        await _no_open_request(session, requester, target, now)
        open_count = (
            await session.execute(
                select(func.count(Introduction.id)).where(
                    Introduction.requester_id == requester.id, _open_for_requester(now)
                )
            )
        ).scalar_one()
        if open_count >= settings.intro_max_open_per_requester:
            raise TooManyOpenRequests(open_count, settings.intro_max_open_per_requester, settings.intro_expiry_days)
        intro = Introduction(
            requester_id=requester.id,
            target_id=target.id,
            reason=reason,
            state=REQUESTED,
            requested_at=now,
            expires_at=now + timedelta(days=settings.intro_expiry_days),
            requester_snapshot=profile_snapshot(requester),
            target_snapshot=profile_snapshot(target),
            platform=platform,
        )
        try:
            async with session.begin_nested():
                session.add(intro)
                await session.flush()
        except IntegrityError:  # the same request, a moment ago (double click, second process)
            raise AskedTwiceAtOnce(target.display_name) from None
        session.add(IntroductionTransition(introduction_id=intro.id, from_state=None, to_state=REQUESTED, at=now,
                                           actor_member_id=requester.id))
        await schedule_job(
            session, kind=EXPIRE_JOB, key=expire_key(intro.id), due_at=intro.expires_at,
            payload={"introduction_id": intro.id},
        )
    core.scheduler.poke()
    delivered = await core.tell(target, notices.request_for_target(intro, requester, target))
    return RequestOutcome(intro, delivered)


# --- the target answers ----------------------------------------------------------------------------


async def _own_request(session: AsyncSession, intro_id: int, member: Member) -> Introduction:
    intro = await load_introduction(session, intro_id)
    if intro is None or intro.target_id != member.id:
        # The same words whether it does not exist or is someone else's: ids reveal nothing.
        raise NoRequestForYou(intro_id)
    return intro


@dataclass
class Answered:
    """The target's answer to a request. `moved` is False when the request was no longer open (answered
    before, closed, or its requester has since left): `introduction` then shows its state. After an accept,
    `delivery` says how the two were introduced."""

    introduction: Introduction
    moved: bool
    requester: Member | None = None
    delivery: str | None = None


# How `send_introduction` reached the two members.
IN_A_GROUP, DIRECT_TO_EACH, NOT_BOTH_REACHED = "group", "direct", "unreachable"


async def accept(core: Runtime, member: Member, intro_id: int, notices: IntroNotices) -> Answered:
    """Accept a request addressed to `member`; introduces both once."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        intro = await _own_request(session, intro_id, member)
        moved = await make_transition(
            session, intro_id, from_state=REQUESTED, to_state=ACCEPTED, now=now, actor_id=member.id,
            values={"responded_at": now, "followup_due_at": now + timedelta(days=core.settings.intro_followup_days)},
            where=(Introduction.expires_at > now, *BOTH_SIDES_PRESENT),
        )
        if not moved:
            await expire_overdue(session, now, intro_id=intro_id)
            return Answered(await load_introduction(session, intro_id), moved=False)
        intro = await load_introduction(session, intro_id)
        requester, target = await members_of(session, intro)
        await record_introduction_exchange(session, intro, requester, target, kind=INTRO_ACCEPTED, occurred_at=now)
        await schedule_job(
            session, kind=FOLLOWUP_JOB, key=followup_key(intro_id), due_at=intro.followup_due_at,
            payload={"introduction_id": intro_id},
        )
        await cancel_jobs(session, key_prefix=expire_key(intro_id))
    core.scheduler.poke()
    delivery = await send_introduction(core, intro, requester, target, notices)
    return Answered(intro, moved=True, requester=requester, delivery=delivery)


async def decline(core: Runtime, member: Member, intro_id: int) -> Answered:
    """Decline (or "not now") a request addressed to `member`; the requester is never told."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        intro = await _own_request(session, intro_id, member)
        moved = await make_transition(
            session, intro_id, from_state=REQUESTED, to_state=DECLINED, now=now, actor_id=member.id,
            values={"responded_at": now}, where=(Introduction.expires_at > now, *BOTH_SIDES_PRESENT),
        )
        if not moved:
            await expire_overdue(session, now, intro_id=intro_id)
            return Answered(await load_introduction(session, intro_id), moved=False)
        requester, _ = await members_of(session, intro)
    return Answered(intro, moved=True, requester=requester)


# --- expiry, follow-up and the introduction itself ------------------------------------------------


async def expire_overdue(
    session: AsyncSession,
    now: datetime,
    *,
    intro_id: int | None = None,
    pair: tuple[int, int] | None = None,
    member_id: int | None = None,
) -> None:
    """Expire requests past their closing time that their job has not reached yet (the bot was down)."""
    query = select(Introduction.id).where(Introduction.state == REQUESTED, Introduction.expires_at <= now)
    if intro_id is not None:
        query = query.where(Introduction.id == intro_id)
    if pair is not None:
        query = query.where(Introduction.requester_id == pair[0], Introduction.target_id == pair[1])
    if member_id is not None:
        query = query.where(or_(Introduction.requester_id == member_id, Introduction.target_id == member_id))
    for overdue in (await session.execute(query)).scalars().all():
        await make_transition(session, overdue, from_state=REQUESTED, to_state=EXPIRED, now=now, actor_id=None)


async def close_expired_request(core: Runtime, job: Job, notices: IntroNotices) -> None:
    """The EXPIRE_JOB: close a request nobody answered in time and tell the requester. Re-running it is
    safe: the state transition guards it."""
    intro_id = int(job.payload["introduction_id"])
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        await make_transition(session, intro_id, from_state=REQUESTED, to_state=EXPIRED, now=now, actor_id=None)
        intro = await load_introduction(session, intro_id)
        if intro is None or intro.state not in (EXPIRED, DECLINED):
            return
        requester, target = await members_of(session, intro)
    if requester is not None:
        await core.scheduler.begin_send(job)  # from here on the job is never run twice
        # The same note for "declined" and "no answer": the requester cannot tell them apart.
        await core.notify(requester, notices.request_closed(intro, target))


async def follow_up(core: Runtime, job: Job, notices: IntroNotices) -> None:
    """The FOLLOWUP_JOB: ask both whether they met and how useful it was. Re-running it is safe: nothing
    is sent before `begin_send`."""
    intro_id = int(job.payload["introduction_id"])
    async with core.db.session() as session:
        intro = await load_introduction(session, intro_id)
        if intro is None or intro.state not in (ACCEPTED, MET):
            return  # a "no" was already given
        requester, target = await members_of(session, intro)
    await core.scheduler.begin_send(job)  # from here on the job is never run twice
    for member, other in ((requester, target), (target, requester)):
        if member is None:
            continue
        if intro.state == MET and own_rating(intro, member) is not None:
            continue
        await core.notify(member, notices.followup(intro, member, other, ask_meeting=intro.state == ACCEPTED))


async def send_introduction(
    core: Runtime, intro: Introduction, requester: Member, target: Member, notices: IntroNotices
) -> str:
    """A group conversation when both are reachable on one platform; otherwise a direct message to each.
    Returns how they were reached: IN_A_GROUP, DIRECT_TO_EACH or NOT_BOTH_REACHED."""
    for mine in requester.identities:
        theirs = next((i for i in target.identities if i.platform == mine.platform), None)
        transport = core.transports.get(mine.platform)
        if theirs is not None and transport is not None:
            try:
                reference = await transport.send_group(
                    [mine.platform_user_id, theirs.platform_user_id],
                    notices.introduction(intro, requester, target, core.settings.intro_followup_days),
                )
                if reference is not None or not getattr(transport, "NO_REFERENCE_MEANS_UNREACHABLE", False):
                    return IN_A_GROUP
                break  # the platform refused the group (and said why in the log): a direct message each
            except Exception:  # the state has changed already: fall back to a direct message each
                log.exception("group introduction %s on %s failed", intro.id, mine.platform)
                break
    sent = 0
    for member, other in ((requester, target), (target, requester)):
        reply = notices.introduction(intro, requester, target, core.settings.intro_followup_days, reader=member,
                                      other=other)
        sent += await core.tell(member, reply)
    if sent == 2:
        return DIRECT_TO_EACH
    log.warning("introduction %s: only %d of 2 members could be reached", intro.id, sent)
    return NOT_BOTH_REACHED
