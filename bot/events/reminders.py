"""When the reminders of an event go: one job per member who is going or interested and per offset before
the start (`reminder_offsets_hours`), re-created when the event moves."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events.fields import MAX_YEARS_AHEAD
from bot.scheduler import cancel_jobs, schedule_job
from config import Settings
from storage.models import RSVP, Event


class EventJob(StrEnum):
    REMINDER = "event.reminder"


REMINDER_JOB = EventJob.REMINDER
REMINDED_STATUSES = ("going", "interested")


# No event starts further ahead (bot/events/fields.py), so a longer offset could never be due; left out, it
# cannot overflow a date either.
LONGEST_OFFSET_HOURS = MAX_YEARS_AHEAD * 366 * 24


def reminder_offsets(settings: Settings) -> list[timedelta]:
    offsets = {timedelta(hours=hours) for hours in settings.reminder_offsets_hours if 0 < hours <= LONGEST_OFFSET_HOURS}
    return sorted(offsets, reverse=True)


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
