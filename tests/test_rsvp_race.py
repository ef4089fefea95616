"""`going` and `not_going` from the same member at the same instant, in two processes, never lose reminders.

The two processes are two bot runtimes, each with its own engine and connection pool, against the same
database (SQLite file or PostgreSQL database); bench/rsvp_race.py races two real processes.
"""

import asyncio

import pytest
from sqlalchemy import select

from bot.app.core import Lighthouse
from bot.events import reminders, service
from bot.app.router import MEMBER_GONE
from bot.members import service as members_service
from bot.members.service import update_profile
from bot.privacy.erasure import erase_member
from storage.lookups import MemberGone, find_by_identity
from storage.models import RSVP, Job
from tests.events_support import add_event, make_member

PAIRS = 30


async def test_simultaneous_going_and_not_going_keep_reminders_consistent(chat, core, settings, clock):
    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")
    event_id = await add_event(chat)
    names = [f"racer{index}" for index in range(PAIRS)]
    for index, name in enumerate(names):  # a third with no answer yet, a third going, a third not going
        await make_member(core, name)
        if index % 3:
            await chat.say(f"event rsvp {event_id} {'going' if index % 3 == 1 else 'not_going'}", as_user=name)
    other = Lighthouse(settings, clock=clock)  # a second process: its own engine and pool
    try:
        async with core.db.session() as session:
            members = [await find_by_identity(session, "console", name) for name in names]
        await asyncio.gather(
            *(
                service.set_rsvp(runtime, event_id, member, status)
                for member in members
                for runtime, status in ((core, "going"), (other, "not_going"))
            )
        )
    finally:
        await other.close()

    async with core.db.session() as session:
        rsvps = (await session.execute(select(RSVP).where(RSVP.event_id == event_id))).scalars().all()
        jobs = (await session.execute(select(Job).where(Job.kind == reminders.REMINDER_JOB))).scalars().all()
    pending = {rsvp.member_id: 0 for rsvp in rsvps}
    for job in jobs:
        if job.status == "pending":
            pending[job.payload["member_id"]] += 1
    wrong = [
        (rsvp.member_id, rsvp.status, pending[rsvp.member_id])
        for rsvp in rsvps
        if pending[rsvp.member_id] != (2 if rsvp.status in reminders.REMINDED_STATUSES else 0)
    ]
    assert len(rsvps) == PAIRS
    assert wrong == []


async def test_an_answer_racing_the_members_erasure_leaves_nothing_of_them(chat, core, settings, clock):
    """An RSVP (or a profile edit) and the member's erasure at the same instant, in two processes: either the
    answer is stored and then erased with the member, or it finds them gone and says so; never an answer
    noted and lost, nor reminders scheduled for a member who no longer exists."""
    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")
    event_id = await add_event(chat)
    names = [f"leaver{index}" for index in range(8)]
    for name in names:
        await make_member(core, name)
    other = Lighthouse(settings, clock=clock)
    outcomes = []
    try:
        async with core.db.session() as session:
            members = [await find_by_identity(session, "console", name) for name in names]

        async def answer(member) -> str:  # noqa: ANN001
            try:
                await service.set_rsvp(other, event_id, member, "going")
            except MemberGone:
                return "gone"
            return "stored"

        async def erase(member) -> None:  # noqa: ANN001
            async with core.db.session() as session, session.begin():
                await erase_member(session, member.id, clock.now())

        for member in members:
            outcome, _ = await asyncio.gather(answer(member), erase(member))
            outcomes.append(outcome)
        # A profile edit finds the member gone too, rather than failing.
        with pytest.raises(MemberGone):
            await update_profile(core, members[0].id, "bio", "too late")
    finally:
        await other.close()
    gone = {member.id for member in members}
    async with core.db.session() as session:
        rsvps = (await session.execute(select(RSVP).where(RSVP.member_id.in_(gone)))).scalars().all()
        jobs = (await session.execute(select(Job).where(Job.kind == reminders.REMINDER_JOB))).scalars().all()
    assert rsvps == []
    assert [job.payload for job in jobs if job.status == "pending" and job.payload["member_id"] in gone] == []
    assert set(outcomes) <= {"gone", "stored"}


async def test_a_change_that_finds_the_member_erased_is_answered_plainly(chat, core, monkeypatch):
    """The erasure lands between the router reading the member and the edit holding their row."""
    await chat.say("profile set bio first words", as_user="dora")
    held = members_service.held_member

    async def erased_just_before(session, member_id, **options):  # noqa: ANN001, ANN202
        async with core.db.session() as other, other.begin():
            await erase_member(other, member_id, core.clock.now())
        return await held(session, member_id, **options)

    monkeypatch.setattr(members_service, "held_member", erased_just_before)
    reply = await chat.say("profile set bio second words", as_user="dora")
    assert reply.tone == "error" and reply.text == MEMBER_GONE, reply.text
    monkeypatch.undo()
    assert "second words" not in await chat.text("profile", as_user="dora")
