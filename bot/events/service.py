"""Events: create, edit, cancel, RSVP, the reminders RSVPs get before an event starts, and attendance.

A reminder is a job keyed by (event, member, offset, start time): scheduling it twice adds it once,
and the scheduler sends it once (see bot/scheduler.py for what happens after a crash). Moving an event
cancels the old reminders and schedules new ones, because the start time is part of the key.

Sending to members: the service decides whether, whom and when (who RSVPed, which changes they hear
about, whether a reminder still makes sense) and does the sending; the words come from the caller. Every
function that sends takes `notices` (an `EventNotices`: one wording per kind of message, each turning the
service's data about what happened into the message for one member); `bot.events.notices.NOTICES` is
one, and the service passes what it returns on to `Runtime.notify` without looking inside. Scheduled jobs are
registered by the commands module, which hands that wording to the job's function here. Introductions and
role changes work the same way (`IntroNotices`, `RoleNotices`), and digests (`DigestNotices`).

Attendance (in `attendance`) is recorded once the event has started, by the member (`event attended`) or by a coordinator
(everyone who RSVPed going, or named members). One `event_attendances` row per event and member, guarded by
a unique key, so recording twice (from any process) stores one; the `event_attended` exchange is written in
the same transaction as the row, so it exists exactly when the row does (docs/indicators.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.audit import record_audit
from bot.events.errors import (
    ANSWERING,
    CANCELLING,
    EDITING,
    OPENING_EDIT_FORM,
    AlreadyCancelled,
    EventCancelled,
    EventOver,
    MissingField,
    NoSuchEvent,
)
from bot.events.calendar_range import in_calendar_range
from bot.events.fields import EventFields, resolve_times
from bot.events.reminders import (
    REMINDED_STATUSES,
    reminder_offsets,
    reschedule_reminders,
    schedule_reminders,
)
from bot.scheduler import SkipJob, cancel_jobs
from storage.lookups import held_member
from storage.models import RSVP, Event, Job, Member

if TYPE_CHECKING:
    from bot.reply import (
        Reply,  # only the type the notices return: the words are the views'
    )
    from bot.runtime import Runtime


class EventAudit(StrEnum):
    """The audit actions of events (worded by `bot.events.views`)."""

    ADD = "event.add"
    EDIT = "event.edit"
    CANCEL = "event.cancel"


# What someone who said they'd come needs to hear about; a new description or themes can wait for `event show`.
TOLD_TO_RSVPS = ("time", "place", "link", "title")


@dataclass
class Notified:
    """How many of the members there were to tell got the message."""

    told: int
    of: int


@dataclass
class EventEdit:
    event: Event
    changed: list[str]  # the names of the fields that changed, in the order they were applied
    told_about: list[str]  # those of them the members who RSVPed were told about
    notified: Notified


@dataclass
class EventDetails:
    event: Event
    counts: dict[str, int]  # RSVPs by status
    own_status: str | None  # the asking member's RSVP
    organiser: str | None  # the organiser's display name


@dataclass
class RsvpAnswer:
    event: Event
    status: str
    reminders_ahead: list[timedelta]  # how long before the start each coming reminder is sent


@dataclass
class Reminder:
    event: Event
    now: datetime


@dataclass
class Attendee:
    name: str
    organisation: str | None
    country: str | None
    sector: str | None
    status: str
    member_id: int | None = None


class EventNotices(Protocol):
    """The messages events send to members; each returns what `Runtime.notify` delivers (a Reply)."""

    def changed_notice(self, edit: EventEdit, member: Member) -> Reply: ...

    def cancellation_notice(self, event: Event, member: Member) -> Reply: ...

    def reminder(self, reminder: Reminder, member: Member) -> Reply: ...


async def load_event(
    session: AsyncSession, event_id: int, *, for_update: bool = False, for_share: bool = False
) -> Event:
    query = select(Event).where(Event.id == event_id, in_calendar_range())  # out of range: as if not there
    if for_update or for_share:  # PostgreSQL only; SQLite has one writer at a time anyway
        query = query.with_for_update(read=not for_update)
    event = (await session.execute(query)).scalar_one_or_none()
    if event is None:
        raise NoSuchEvent(event_id)
    return event


async def get_event(core: Runtime, event_id: int) -> Event:
    async with core.db.session() as session:
        return await load_event(session, event_id)


async def _tell(core: Runtime, members: list[Member], compose: Callable[[Member], Reply]) -> Notified:
    told = 0
    for member in members:  # one unreachable member does not stop the others
        told += await core.tell(member, compose(member))
    return Notified(told, len(members))


# --- creating, editing, cancelling ---------------------------------------------------------------


async def create_event(core: Runtime, fields: EventFields, *, organiser: Member) -> Event:
    """Add the event (audited with its new id)."""
    if not fields.title:
        raise MissingField("title")
    if fields.start is None:
        raise MissingField("start")
    now = core.clock.now()
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
    async with core.db.session() as session, session.begin():
        session.add(event)
        await session.flush()
        await record_audit(session, organiser, EventAudit.ADD, {"event_id": event.id}, at=now)
    return event


async def event_to_edit(core: Runtime, event_id: int) -> Event:
    """The event as it is, for a coordinator about to edit it."""
    event = await get_event(core, event_id)
    if event.status == "cancelled":
        raise EventCancelled(event.id, OPENING_EDIT_FORM)
    return event


async def _apply_times(
    core: Runtime, session: AsyncSession, event: Event, fields: EventFields, now: datetime
) -> list[str]:
    """New times, if any were given; a moved start moves the reminders too. ["time"] when they changed."""
    if not fields.given & {"start", "end", "duration"}:
        return []
    starts_at, ends_at, zone = resolve_times(
        fields, now=now, current_start=event.starts_at, current_end=event.ends_at, current_zone=event.timezone
    )
    moved = starts_at != event.starts_at
    changed = ["time"] if (starts_at, ends_at, zone) != (event.starts_at, event.ends_at, event.timezone) else []
    event.starts_at, event.ends_at, event.timezone = starts_at, ends_at, zone
    if moved:
        await reschedule_reminders(session, event, settings=core.settings, now=now)
    return changed


def _apply_details(event: Event, fields: EventFields) -> list[str]:
    changed: list[str] = []
    for name in ("title", "place", "link", "themes", "description"):
        if name not in fields.given:
            continue
        value = getattr(fields, name)
        if name == "themes":
            value = value or []
        if value != getattr(event, name):
            setattr(event, name, value)
            changed.append(name)
    return changed


def _check_editable(event: Event, now: datetime) -> None:
    if event.status == "cancelled":
        raise EventCancelled(event.id, EDITING)
    if event.ends_at <= now:
        raise EventOver(event.id, EDITING)


async def _mark_edited(
    session: AsyncSession, event: Event, changed: list[str], *, editor: Member, now: datetime
) -> None:
    """A new calendar sequence (calendar apps replace the event), and the audit of what changed."""
    event.sequence = (event.sequence or 0) + 1
    event.updated_at = now
    await record_audit(session, editor, EventAudit.EDIT, {"event_id": event.id, "changed": changed}, at=now)


async def edit_event(
    core: Runtime, event_id: int, fields: EventFields, *, editor: Member, notices: EventNotices
) -> EventEdit:
    """Apply the given fields (audited with the names of what changed), then tell the members who RSVPed
    about the changes that matter to them."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        event = await load_event(session, event_id, for_update=True)
        _check_editable(event, now)
        changed = await _apply_times(core, session, event, fields, now)
        changed += _apply_details(event, fields)
        if changed:
            await _mark_edited(session, event, changed, editor=editor, now=now)
        told_about = [name for name in changed if name in TOLD_TO_RSVPS]
        to_tell = await _rsvped_members(session, event.id) if told_about else []
    edit = EventEdit(event, changed, told_about, Notified(0, 0))
    if to_tell:
        edit.notified = await _tell(core, to_tell, lambda member: notices.changed_notice(edit, member))
    return edit


async def cancel_event(core: Runtime, event_id: int, *, by: Member, notices: EventNotices) -> tuple[Event, Notified]:
    """Cancel once (a second cancel, from any process, is refused; audited), then tell every member who
    RSVPed."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        event = await load_event(session, event_id)
        if event.status == "cancelled":
            raise AlreadyCancelled(event.id)
        if event.ends_at <= now:
            raise EventOver(event.id, CANCELLING)
        result = await session.execute(
            update(Event)
            .where(Event.id == event.id, Event.status == "scheduled")
            .values(status="cancelled", cancelled_at=now, updated_at=now, sequence=Event.sequence + 1)
        )
        if result.rowcount != 1:
            raise AlreadyCancelled(event.id)
        await cancel_jobs(session, key_prefix=f"event:{event.id}:")
        await record_audit(session, by, EventAudit.CANCEL, {"event_id": event.id}, at=now)
        await session.refresh(event)
        to_tell = await _rsvped_members(session, event.id)
    return event, await _tell(core, to_tell, lambda member: notices.cancellation_notice(event, member))


async def _rsvped_members(session: AsyncSession, event_id: int) -> list[Member]:
    """Members who said going or interested: the ones told about changes and reminded."""
    rows = await session.execute(
        select(Member)
        .join(RSVP, RSVP.member_id == Member.id)
        .where(RSVP.event_id == event_id, RSVP.status.in_(REMINDED_STATUSES))
        .options(selectinload(Member.identities))
    )
    return list(rows.scalars().unique())


# --- reading -------------------------------------------------------------------------------------


async def upcoming_events(
    session: AsyncSession, *, now: datetime, until: datetime | None = None, theme: str | None = None, limit: int = 50
) -> list[Event]:
    """Scheduled events not yet over, soonest first."""
    query = select(Event).where(Event.status == "scheduled", Event.ends_at > now).order_by(Event.starts_at, Event.id)
    query = query.where(in_calendar_range())
    if until is not None:
        query = query.where(Event.starts_at < until)
    events = list((await session.execute(query)).scalars())
    if theme is not None:  # themes are a JSON list: filtered here, the same on every backend
        events = [event for event in events if theme in (event.themes or [])]
    return events[:limit]


async def list_upcoming(core: Runtime, *, theme: str | None = None) -> list[Event]:
    async with core.db.session() as session:
        return await upcoming_events(session, now=core.clock.now(), theme=theme)


async def event_details(core: Runtime, event_id: int, *, member_id: int) -> EventDetails:
    async with core.db.session() as session:
        event = await load_event(session, event_id)
        counts = await _rsvp_counts(session, event.id)
        own = await _own_rsvp(session, event.id, member_id)
        organiser = await session.get(Member, event.organiser_id) if event.organiser_id else None
    return EventDetails(event, counts, own, organiser.display_name if organiser else None)


async def _rsvp_counts(session: AsyncSession, event_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(RSVP.status, func.count(RSVP.id)).where(RSVP.event_id == event_id).group_by(RSVP.status)
    )
    return {status: count for status, count in rows.all()}


async def _own_rsvp(session: AsyncSession, event_id: int, member_id: int) -> str | None:
    return (
        await session.execute(select(RSVP.status).where(RSVP.event_id == event_id, RSVP.member_id == member_id))
    ).scalar_one_or_none()


async def event_attendees(core: Runtime, event_id: int) -> tuple[Event, list[Attendee]]:
    async with core.db.session() as session:
        event = await load_event(session, event_id)
        return event, await _attendees(session, event.id)


async def _attendees(session: AsyncSession, event_id: int) -> list[Attendee]:
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


# --- RSVPs and reminders -------------------------------------------------------------------------


async def set_rsvp(core: Runtime, event_id: int, member: Member, status: str) -> RsvpAnswer:
    """Record the answer (one row per member and event) and schedule or cancel the member's reminders.

    The RSVP row is written first, status and all, whatever this process last read: that write takes the
    row's lock (PostgreSQL) or the database's write lock (SQLite) until the commit, so two answers from the
    same member at the same instant, in two processes, run one after the other, and the reminders always
    follow the answer that ends up stored. The event is read under a share lock, so an edit or a
    cancellation waits for the RSVP (and its reminders) to be committed, and vice versa.
    """
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        # The member first (as an erasure takes it first): an answer racing the member's erasure is stored and
        # then erased, or finds them gone, never an answer and reminders for a member who no longer exists.
        await held_member(session, member.id, shared=True)
        event = await load_event(session, event_id, for_share=True)
        if event.status == "cancelled":
            raise EventCancelled(event.id, ANSWERING)
        if event.ends_at <= now:
            raise EventOver(event.id, ANSWERING)
        await _write_rsvp(session, event.id, member.id, status, now)
        if status in REMINDED_STATUSES:
            await schedule_reminders(session, event, member.id, settings=core.settings, now=now)
        else:
            await cancel_jobs(session, key_prefix=f"event:{event.id}:reminder:{member.id}:")
    if status not in REMINDED_STATUSES:
        return RsvpAnswer(event, status, [])
    ahead = [offset for offset in reminder_offsets(core.settings) if event.starts_at - offset > now]
    return RsvpAnswer(event, status, ahead)


async def _write_rsvp(session: AsyncSession, event_id: int, member_id: int, status: str, now: datetime) -> None:
    """Store the answer with a write that always sets the status (never "unchanged" from a stale read)."""
    mine = (RSVP.event_id == event_id) & (RSVP.member_id == member_id)
    stored = await session.execute(update(RSVP).where(mine).values(status=status, updated_at=now))
    if stored.rowcount == 1:
        return
    try:
        async with session.begin_nested():
            session.add(RSVP(event_id=event_id, member_id=member_id, status=status, updated_at=now))
    except IntegrityError:  # the same member's other answer, handled by another process, came first
        await session.execute(update(RSVP).where(mine).values(status=status, updated_at=now))


def _still_to_remind(
    event: Event | None, member: Member | None, status: str | None, payload: dict
) -> tuple[Event, Member]:
    """The event and member, when the event is on as scheduled and the member still plans to come."""
    if event is None or event.status != "scheduled":
        raise SkipJob("the event was cancelled or removed")
    if event.starts_at != datetime.fromisoformat(payload["starts_at"]):
        raise SkipJob("the event was moved; a new reminder is scheduled for the new time")
    if member is None or status not in REMINDED_STATUSES:
        raise SkipJob("the member no longer plans to come")
    return event, member


async def send_reminder(core: Runtime, job: Job, *, notices: EventNotices) -> None:
    """The reminder job: check the reminder still makes sense, mark "sending", then send it (never twice)."""
    payload = job.payload
    async with core.db.session() as session:
        event = await session.get(Event, payload["event_id"])
        member = await session.get(Member, payload["member_id"], options=[selectinload(Member.identities)])
        status = await _own_rsvp(session, payload["event_id"], payload["member_id"]) if member else None
    event, member = _still_to_remind(event, member, status, payload)
    now = core.clock.now()
    if now >= event.starts_at:
        raise SkipJob("the event has already started")
    message = notices.reminder(Reminder(event, now), member)
    await core.scheduler.begin_send(job)
    if not await core.notify(member, message):
        raise SkipJob("the member has no platform this bot can reach")
