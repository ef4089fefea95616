"""iCalendar (.ics) for events: one event's file (sent as an attachment by the views), or a feed of upcoming events.

Times keep the event's own zone (TZID plus a VTIMEZONE definition, so calendar apps convert correctly
across daylight-saving changes). The UID never changes for an event; SEQUENCE goes up with every edit,
and a cancelled event stays in the feed with STATUS:CANCELLED so subscribed calendars drop it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events.calendar_range import in_calendar_range
from config.vocabulary import THEMES
from storage.models import Event

if TYPE_CHECKING:
    import icalendar

# icalendar is imported when a calendar is built, not with the bot: it adds tens of milliseconds to every start.

PRODID = "-//Lighthouse Bot//Events//EN"
MIME_TYPE = "text/calendar"


def event_uid(event: Event) -> str:
    # The creation time keeps UIDs of two installations apart; both parts never change for an event.
    return f"event-{event.id}-{event.created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}@lighthouse-bot"


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(UTC if zone == "UTC" else ZoneInfo(zone))


def _vevent(event: Event, now: datetime) -> icalendar.Event:
    import icalendar

    item = icalendar.Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", now.astimezone(UTC))
    item.add("dtstart", _local(event.starts_at, event.timezone))
    item.add("dtend", _local(event.ends_at, event.timezone))
    item.add("summary", event.title)
    item.add("sequence", event.sequence or 0)
    item.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    item.add("created", event.created_at.astimezone(UTC))
    item.add("last-modified", event.updated_at.astimezone(UTC))
    _add_details(item, event)
    return item


def _add_details(item: icalendar.Event, event: Event) -> None:
    """The optional properties: link, description, location and categories."""
    description = event.description or ""
    if event.link:
        description = f"{description}\n\n{event.link}".strip()
        item.add("url", event.link)
    if description:
        item.add("description", description)
    if event.place or event.link:
        item.add("location", event.place or event.link)
    if event.themes:
        item.add("categories", [THEMES.get(theme, theme) for theme in event.themes])


def build_calendar(events: list[Event], *, now: datetime, name: str = "Lighthouse events") -> bytes:
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(_vevent(event, now))
    if events:
        # A VTIMEZONE for each zone used, covering the events' dates (and a year on, for late edits).
        first = min(event.starts_at for event in events).date() - timedelta(days=1)
        last = max(event.ends_at for event in events).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


async def upcoming_feed(session: AsyncSession, *, now: datetime) -> tuple[bytes, int]:
    """Every event not yet over, cancelled ones included (so calendars remove them); and how many. An event
    stored with times no calendar file can hold is left out."""
    query = select(Event).where(Event.ends_at > now, in_calendar_range()).order_by(Event.starts_at, Event.id)
    events = list((await session.execute(query)).scalars())
    return build_calendar(events, now=now), len(events)
