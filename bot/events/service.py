"""Events: create, edit, cancel, RSVP, and the reminders RSVPs get before an event starts.

A reminder is a job keyed by (event, member, offset, start time): scheduling it twice adds it once,
and the scheduler sends it once (see bot/scheduler.py for what happens after a crash). Moving an event
cancels the old reminders and schedules new ones, because the start time is part of the key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.events.input import EventFields, resolve_times
from bot.events.views import RSVP_LABELS, format_when, starts_in, where_text
from bot.reply import Button, Field, Reply, Section
from bot.scheduler import SkipJob, cancel_jobs, job_handler, schedule_job
from config import Settings
from config.errors import UserError
from storage.models import RSVP, AuditEntry, Event, Job, Member

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

REMINDER_JOB = "event.reminder"
REMINDED_STATUSES = ("going", "interested")
_RSVP_WORDS = {
    "going": "going",
    "yes": "going",
    "attending": "going",
    "interested": "interested",
    "maybe": "interested",
    "not_going": "not_going",
    "not going": "not_going",
    "not-going": "not_going",
    "notgoing": "not_going",
    "no": "not_going",
    "decline": "not_going",
}


def parse_rsvp(text: str) -> str:
    status = _RSVP_WORDS.get(" ".join(text.lower().split()))
    if status is None:
        raise UserError(f"“{text[:30]}” is not an answer I know.", hint="Answer going, interested or not_going.")
    return status


def parse_event_id(text: str | None) -> int:
    if not text or not text.lstrip("#").isdigit():
        raise UserError(
            "Which event? Give its number, e.g. `event show 12`.", hint="`event list` shows upcoming events."
        )
    return int(text.lstrip("#"))


async def get_event(session: AsyncSession, event_id: int, *, for_update: bool = False) -> Event:
    query = select(Event).where(Event.id == event_id)
    if for_update:
        query = query.with_for_update()
    event = (await session.execute(query)).scalar_one_or_none()
    if event is None:
        raise UserError(f"There is no event #{event_id}.", hint="`event list` shows upcoming events.")
    return event


def _audit(session: AsyncSession, actor: Member, action: str, now: datetime, **details: object) -> None:
    session.add(AuditEntry(at=now, actor_member_id=actor.id, action=action, details=details))


# --- creating, editing, cancelling ---------------------------------------------------------------


async def create_event(session: AsyncSession, fields: EventFields, *, organiser: Member, now: datetime) -> Event:
    if not fields.title:
        raise UserError("An event needs a title.", hint='Add title="Obesity in schools".')
    if fields.start is None:
        raise UserError("An event needs a start.", hint='Add start="2026-12-03 14:00 Europe/Copenhagen".')
    starts_at, ends_at, zone = resolve_times(fields, now=now)
    event = Event(
        title=fields.title,
        description=fields.description,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=zone,
        place=fields.place,
        link=fields.link,
        themes=fields.themes or [],
        organiser_id=organiser.id,
        status="scheduled",
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    await session.flush()
    _audit(session, organiser, "event.add", now, event_id=event.id)
    return event


async def edit_event(
    session: AsyncSession,
    event_id: int,
    fields: EventFields,
    *,
    editor: Member,
    settings: Settings,
    now: datetime,
) -> tuple[Event, list[str]]:
    """Apply the given fields; returns the event and the names of what changed."""
    event = await get_event(session, event_id, for_update=True)
    if event.status == "cancelled":
        raise UserError(
            f"Event #{event.id} was cancelled, so it can no longer be edited.", hint="Add a new event instead."
        )
    if event.ends_at <= now:
        raise UserError(f"Event #{event.id} is over; past events are kept as they were.")
    changed: list[str] = []
    if fields.given & {"start", "end", "duration"}:
        starts_at, ends_at, zone = resolve_times(
            fields, now=now, current_start=event.starts_at, current_end=event.ends_at, current_zone=event.timezone
        )
        moved = starts_at != event.starts_at
        if (starts_at, ends_at, zone) != (event.starts_at, event.ends_at, event.timezone):
            changed.append("time")
        event.starts_at, event.ends_at, event.timezone = starts_at, ends_at, zone
        if moved:
            await reschedule_reminders(session, event, settings=settings, now=now)
    for name in ("title", "place", "link", "themes", "description"):
        if name in fields.given:
            value = getattr(fields, name)
            if name == "themes":
                value = value or []
            if value != getattr(event, name):
                setattr(event, name, value)
                changed.append(name)
    if changed:
        event.sequence = (event.sequence or 0) + 1
        event.updated_at = now
        _audit(session, editor, "event.edit", now, event_id=event.id, changed=changed)
    return event, changed


async def cancel_event(
    session: AsyncSession, event_id: int, *, by: Member, now: datetime
) -> tuple[Event, list[Member]]:
    """Cancel once (a second cancel, from any process, is refused); returns whom to tell."""
    event = await get_event(session, event_id)
    if event.status == "cancelled":
        raise UserError(f"Event #{event.id} is already cancelled.")
    if event.ends_at <= now:
        raise UserError(f"Event #{event.id} is over; there is nothing to cancel.")
    result = await session.execute(
        update(Event)
        .where(Event.id == event.id, Event.status == "scheduled")
        .values(status="cancelled", cancelled_at=now, updated_at=now, sequence=Event.sequence + 1)
    )
    if result.rowcount != 1:
        raise UserError(f"Event #{event.id} is already cancelled.")
    await cancel_jobs(session, key_prefix=f"event:{event.id}:")
    _audit(session, by, "event.cancel", now, event_id=event.id)
    await session.refresh(event)
    return event, await rsvped_members(session, event.id)


async def rsvped_members(session: AsyncSession, event_id: int) -> list[Member]:
    """Members who said going or interested: the ones told about changes and reminded."""
    rows = await session.execute(
        select(Member)
        .join(RSVP, RSVP.member_id == Member.id)
        .where(RSVP.event_id == event_id, RSVP.status.in_(REMINDED_STATUSES))
        .options(selectinload(Member.identities))
    )
    return list(rows.scalars().unique())


def cancellation_notice(event: Event, member: Member) -> Reply:
    return Reply(
        text=f"“{event.title}” (event #{event.id}) has been cancelled.",
        sections=[
            Section(
                fields=[
                    Field(
                        "Was planned for", format_when(event.starts_at, event.ends_at, event.timezone, member.timezone)
                    )
                ],
                context="You get this because you had RSVPed. No reminders will follow.",
                buttons=[Button("Update my calendar", f"event ics {event.id}")],
            )
        ],
        tone="warning",
    )


# --- RSVPs and reminders -------------------------------------------------------------------------


def reminder_offsets(settings: Settings) -> list[timedelta]:
    return sorted({timedelta(hours=hours) for hours in settings.reminder_offsets_hours if hours > 0}, reverse=True)


def offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def reminder_key(event_id: int, member_id: int, offset: timedelta, starts_at: datetime) -> str:
    return f"event:{event_id}:reminder:{member_id}:{offset_label(offset)}:{starts_at:%Y%m%dT%H%MZ}"


async def schedule_reminders(
    session: AsyncSession, event: Event, member_id: int, *, settings: Settings, now: datetime
) -> int:
    """One job per offset still ahead; an offset already passed at RSVP time gets none."""
    added = 0
    for offset in reminder_offsets(settings):
        due_at = event.starts_at - offset
        if due_at <= now:
            continue
        added += await schedule_job(
            session,
            kind=REMINDER_JOB,
            key=reminder_key(event.id, member_id, offset, event.starts_at),
            due_at=due_at,
            payload={
                "event_id": event.id,
                "member_id": member_id,
                "offset_minutes": int(offset.total_seconds() // 60),
                "starts_at": event.starts_at.isoformat(),
            },
            replace_cancelled=True,
        )
    return added


async def reschedule_reminders(session: AsyncSession, event: Event, *, settings: Settings, now: datetime) -> None:
    await cancel_jobs(session, key_prefix=f"event:{event.id}:reminder:")
    member_ids = await session.execute(
        select(RSVP.member_id).where(RSVP.event_id == event.id, RSVP.status.in_(REMINDED_STATUSES))
    )
    for member_id in member_ids.scalars():
        await schedule_reminders(session, event, member_id, settings=settings, now=now)


async def set_rsvp(
    session: AsyncSession,
    event_id: int,
    member: Member,
    status: str,
    *,
    settings: Settings,
    now: datetime,
) -> tuple[Event, int]:
    """Record the answer (one row per member and event); returns the event and reminders scheduled."""
    event = await get_event(session, event_id)
    if event.status == "cancelled":
        raise UserError(f"Event #{event.id} was cancelled.")
    if event.ends_at <= now:
        raise UserError(f"Event #{event.id} is already over.")
    query = select(RSVP).where(RSVP.event_id == event.id, RSVP.member_id == member.id)
    rsvp = (await session.execute(query)).scalar_one_or_none()
    if rsvp is None:
        try:
            async with session.begin_nested():
                session.add(RSVP(event_id=event.id, member_id=member.id, status=status, updated_at=now))
        except IntegrityError:  # the same member's other click, handled by another process, came first
            rsvp = (await session.execute(query)).scalar_one()
    if rsvp is not None:
        rsvp.status, rsvp.updated_at = status, now
    if status in REMINDED_STATUSES:
        return event, await schedule_reminders(session, event, member.id, settings=settings, now=now)
    await cancel_jobs(session, key_prefix=f"event:{event.id}:reminder:{member.id}:")
    return event, 0


async def rsvp_counts(session: AsyncSession, event_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(RSVP.status, func.count(RSVP.id)).where(RSVP.event_id == event_id).group_by(RSVP.status)
    )
    return {status: count for status, count in rows.all()}


async def own_rsvp(session: AsyncSession, event_id: int, member_id: int) -> str | None:
    return (
        await session.execute(select(RSVP.status).where(RSVP.event_id == event_id, RSVP.member_id == member_id))
    ).scalar_one_or_none()


async def upcoming_events(
    session: AsyncSession, *, now: datetime, until: datetime | None = None, theme: str | None = None, limit: int = 50
) -> list[Event]:
    """Scheduled events not yet over, soonest first."""
    query = select(Event).where(Event.status == "scheduled", Event.ends_at > now).order_by(Event.starts_at, Event.id)
    if until is not None:
        query = query.where(Event.starts_at < until)
    events = list((await session.execute(query)).scalars())
    if theme is not None:  # themes are a JSON list: filtered here, the same on every backend
        events = [event for event in events if theme in (event.themes or [])]
    return events[:limit]


def reminder_reply(event: Event, member: Member, now: datetime) -> Reply:
    return Reply(
        text=f"Reminder: “{event.title}” starts {starts_in(event.starts_at, now)}.",
        sections=[
            Section(
                fields=[
                    Field("When", format_when(event.starts_at, event.ends_at, event.timezone, member.timezone)),
                    Field("Where", where_text(event)),
                ],
                buttons=[
                    Button("Details", f"event show {event.id}"),
                    Button("Add to calendar", f"event ics {event.id}"),
                    Button("Not going after all", f"event rsvp {event.id} not_going"),
                ],
            )
        ],
    )


@job_handler(REMINDER_JOB, rerun_safe=True)
async def send_reminder(core: Runtime, job: Job) -> None:
    """Check the reminder still makes sense, mark "sending", then send it (never twice)."""
    payload = job.payload
    async with core.db.session() as session:
        event = await session.get(Event, payload["event_id"])
        member = await session.get(Member, payload["member_id"], options=[selectinload(Member.identities)])
        status = await own_rsvp(session, payload["event_id"], payload["member_id"]) if member else None
    if event is None or event.status != "scheduled":
        raise SkipJob("the event was cancelled or removed")
    if event.starts_at != datetime.fromisoformat(payload["starts_at"]):
        raise SkipJob("the event was moved; a new reminder is scheduled for the new time")
    if member is None or status not in REMINDED_STATUSES:
        raise SkipJob("the member no longer plans to come")
    now = core.clock.now()
    if now >= event.starts_at:
        raise SkipJob("the event has already started")
    reply = reminder_reply(event, member, now)
    await core.scheduler.begin_send(job)
    if not await core.notify(member, reply):
        raise SkipJob("the member has no platform this bot can reach")


@dataclass
class Attendee:
    name: str
    organisation: str | None
    country: str | None
    sector: str | None
    status: str


async def attendees(session: AsyncSession, event_id: int) -> list[Attendee]:
    rows = await session.execute(
        select(Member, RSVP.status)
        .join(RSVP, RSVP.member_id == Member.id)
        .where(RSVP.event_id == event_id)
        .order_by(RSVP.status, Member.display_name)
    )
    return [
        Attendee(
            name=member.display_name,
            organisation=member.organisation.name if member.organisation else None,
            country=member.country,
            sector=member.sector,
            status=status,
        )
        for member, status in rows.unique().all()
    ]


def attendee_sections(event: Event, people: list[Attendee]) -> list[Section]:
    sections: list[Section] = []
    for status, label in RSVP_LABELS.items():
        group = [person for person in people if person.status == status]
        if not group:
            continue
        lines = []
        for person in group:
            about = ", ".join(part for part in (person.organisation, person.country) if part)
            lines.append(f"• {person.name}" + (f" ({about})" if about else ""))
        sections.append(Section(title=f"{label} ({len(group)})", text="\n".join(lines)))
    going = [person for person in people if person.status == "going"]
    countries = {person.country for person in going if person.country}
    sectors = {person.sector for person in going if person.sector}
    summary = f"Going: {len(going)} from {len(countries)} countries and {len(sectors)} sectors (where profiles say)."
    return [Section(title=f"Attendees of #{event.id} {event.title}", context=summary), *sections]
