"""Which stored events the bot can show at all: every read of events (lists, digests, the calendar feed, an
event by its number) takes only these, so one event stored with times out of range cannot break them for
everyone. New events are held far inside the range when they are added or edited (bot/events/fields.py);
one outside it got there before that rule or by other means, and is left out as if it were not there.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from bot.events.fields import EARLIEST_SAFE_TIME, LATEST_SAFE_TIME
from storage.models import Event


def in_calendar_range() -> ColumnElement[bool]:
    """The events whose times can be shown in every zone and calendar file, as a query condition."""
    return and_(
        Event.starts_at.between(EARLIEST_SAFE_TIME, LATEST_SAFE_TIME),
        Event.ends_at.between(EARLIEST_SAFE_TIME, LATEST_SAFE_TIME),
    )
