"""Attendance, recorded once the event has started: by the member (`event attended`) or by a coordinator
(everyone who RSVPed going, or named members). One row per event and member; each is an exchange."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events.errors import (
    RECORDING_ATTENDANCE,
    EventCancelled,
    NotStartedYet,
    TooManyNamed,
)
from bot.events.service import Attendee, load_event
from bot.indicators.exchanges import EVENT_ATTENDED, record_exchange
from storage.models import RSVP, Event, EventAttendance, Member

if TYPE_CHECKING:
    from bot.runtime import Runtime


# The most members one `event attendance ID @a @b ...` may name.
MAX_NAMED_ATTENDEES = 100


@dataclass
class AttendanceRecorded:
    """What one recording did: who was newly recorded, and who had been already (names, in order)."""

    event: Event
    added: list[str]
    already: list[str]


@dataclass
class AttendanceList:
    event: Event
    attended: list[Attendee]  # status "attended"
    going_not_recorded: list[Attendee]  # RSVPed going, no attendance recorded yet


async def _event_for_attendance(session: AsyncSession, event_id: int, now: datetime) -> Event:
    event = await load_event(session, event_id)
    if event.status == "cancelled":
        raise EventCancelled(event.id, RECORDING_ATTENDANCE)
    if event.starts_at > now:
        raise NotStartedYet(event.id)
    return event


async def _record_attendances(
    session: AsyncSession, event: Event, members: list[Member], *, by: Member, now: datetime
) -> AttendanceRecorded:
    """One attendance row per member not recorded yet, each with its `event_attended` exchange:
    a = the attendee, b = the event's organiser (unknown when erased), at the event's start."""
    organiser = await session.get(Member, event.organiser_id) if event.organiser_id else None
    result = AttendanceRecorded(event, [], [])
    seen: set[int] = set()
    for member in members:
        if member.id in seen:
            continue
        seen.add(member.id)
        try:
            async with session.begin_nested():
                session.add(
                    EventAttendance(event_id=event.id, member_id=member.id, recorded_at=now, recorded_by_id=by.id)
                )
        except IntegrityError:  # recorded before, here or by another process meanwhile
            result.already.append(member.display_name)
            continue
        await record_exchange(
            session, kind=EVENT_ATTENDED, occurred_at=event.starts_at, a=member, b=organiser, event_id=event.id,
        )
        result.added.append(member.display_name)
    return result


async def record_own_attendance(core: Runtime, event_id: int, member: Member) -> AttendanceRecorded:
    """`event attended ID`: the member says they were there (once the event has started)."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        event = await _event_for_attendance(session, event_id, now)
        attendee = await session.get(Member, member.id)
        assert attendee is not None
        return await _record_attendances(session, event, [attendee], by=attendee, now=now)


async def record_going_as_attended(core: Runtime, event_id: int, *, by: Member) -> AttendanceRecorded:
    """`event attendance ID confirm`: everyone whose RSVP is going attended."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        event = await _event_for_attendance(session, event_id, now)
        going = await session.execute(
            select(Member)
            .join(RSVP, RSVP.member_id == Member.id)
            .where(RSVP.event_id == event.id, RSVP.status == "going", Member.is_bot.is_(False))
            .order_by(Member.display_name, Member.id)
        )
        return await _record_attendances(session, event, list(going.scalars().unique()), by=by, now=now)


async def record_named_attendees(
    core: Runtime, event_id: int, member_ids: list[int], *, by: Member
) -> AttendanceRecorded:
    """`event attendance ID @a @b ...`: the named members attended (RSVP or not)."""
    if len(member_ids) > MAX_NAMED_ATTENDEES:
        raise TooManyNamed(MAX_NAMED_ATTENDEES)
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        event = await _event_for_attendance(session, event_id, now)
        members = [member for member_id in member_ids if (member := await session.get(Member, member_id))]
        return await _record_attendances(session, event, members, by=by, now=now)


async def attendance_list(core: Runtime, event_id: int) -> AttendanceList:
    """Who attended (as recorded), and who RSVPed going without a recorded attendance."""
    async with core.db.session() as session:
        event = await load_event(session, event_id)
        attended = await session.execute(
            select(Member)
            .join(EventAttendance, EventAttendance.member_id == Member.id)
            .where(EventAttendance.event_id == event.id)
            .order_by(Member.display_name, Member.id)
        )
        attendees = [attendee_of(member, "attended") for member in attended.scalars().unique()]
        recorded = {person.member_id for person in attendees}
        going = await session.execute(
            select(Member)
            .join(RSVP, RSVP.member_id == Member.id)
            .where(RSVP.event_id == event.id, RSVP.status == "going")
            .order_by(Member.display_name, Member.id)
        )
        not_recorded = [attendee_of(m, "going") for m in going.scalars().unique() if m.id not in recorded]
    return AttendanceList(event, attendees, not_recorded)


def attendee_of(member: Member, status: str) -> Attendee:
    return Attendee(
        name=member.display_name,
        organisation=member.organisation.name if member.organisation else None,
        country=member.country,
        sector=member.sector,
        status=status,
        member_id=member.id,
    )
