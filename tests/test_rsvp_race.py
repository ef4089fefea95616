"""`going` and `not_going` from the same member at the same instant, in two processes, never lose reminders.

The two processes are two bot runtimes, each with its own engine and connection pool, against the same
database (SQLite file or PostgreSQL database); bench/rsvp_race.py races two real processes.
"""

import asyncio

from sqlalchemy import select

from bot.app.core import Lighthouse
from bot.events import reminders, service
from storage.lookups import find_by_identity
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
