"""An event as a coordinator gives it, and when it happens.

`EventFields` is what adding or editing an event takes: each value already checked on its own (by
bot/events/input.py, which reads what was typed). Times are the part that must be checked together and
against the event as it is - a new end may be a clock time on the start's day, a moved start keeps the
event's length - so reading a date and time in a zone, and `resolve_times`, live here with the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from config.errors import UserError
from config.vocabulary import parse_timezone

MAX_DURATION = timedelta(days=14)
DEFAULT_DURATION = timedelta(hours=1)
EXAMPLE_START = "2026-12-03 14:00 Europe/Copenhagen"
_ZONE_HINT = "Use an IANA name after the time, for example Europe/Copenhagen, America/New_York or UTC."
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}$")
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


@dataclass
class EventFields:
    """What the coordinator gave, validated; None means "not given" (an edit keeps the old value)."""

    title: str | None = None
    start: datetime | None = None  # aware, in `timezone`
    timezone: str | None = None
    end: datetime | None = None
    end_text: str | None = None  # kept until the start's zone is known
    duration: timedelta | None = None
    place: str | None = None
    link: str | None = None
    themes: list[str] | None = None
    description: str | None = None
    given: set[str] = field(default_factory=set)


def _split_zone(words: list[str]) -> tuple[list[str], str | None]:
    """A last word that is neither a clock time nor a date is the time zone."""
    if len(words) <= 1 or _CLOCK.match(words[-1]) or _DATE.match(words[-1]):
        return words, None
    zone = parse_timezone(words[-1])
    if zone is None:
        raise UserError(f"“{words[-1][:40]}” is not a time zone I know.", hint=_ZONE_HINT)
    return words[:-1], zone


def _read_local(text: str, words: list[str], what: str) -> datetime:
    local_text = " ".join(words).replace("T", " ", 1)
    if not re.search(r"\d{1,2}[:.]\d{2}\s*$", local_text):
        raise UserError(
            f"“{text[:60]}” has no time of day.",
            hint=f"Write the {what} as YYYY-MM-DD HH:MM Zone, e.g. {EXAMPLE_START}.",
        )
    local_text = re.sub(r"(\d{1,2})\.(\d{2})\s*$", r"\1:\2", local_text)
    try:
        return datetime.strptime(local_text, "%Y-%m-%d %H:%M")
    except ValueError:
        raise UserError(
            f"“{text[:60]}” is not a date and time I can read.",
            hint=f"Write the {what} as YYYY-MM-DD HH:MM Zone, e.g. {EXAMPLE_START}.",
        ) from None


def _require_zone(zone: str | None, what: str) -> str:
    if zone is None:
        raise UserError(
            f"Which time zone is the {what} in?",
            hint=f'Add it after the time, e.g. {what}="{EXAMPLE_START}", '
            "or set yours once with `profile set timezone Europe/Copenhagen`.",
        )
    return zone


def _existing_local_time(naive: datetime, zone: str) -> datetime:
    tz = ZoneInfo(zone)
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise UserError(
            f"{naive:%H:%M} on {naive.day} {naive:%b %Y} does not exist in {zone}: the clocks jump forward then.",
            hint="Pick a time an hour later or earlier.",
        )
    return aware


def parse_when(text: str, default_zone: str | None, *, what: str = "start") -> tuple[datetime, str]:
    """ "2026-12-03 14:00 Europe/Copenhagen" -> (aware datetime in that zone, zone name)."""
    words = text.split()
    if not words:
        raise UserError(f"The {what} is empty.", hint=f'For example: {what}="{EXAMPLE_START}"')
    words, zone = _split_zone(words)
    naive = _read_local(text, words, what)
    zone = _require_zone(zone or default_zone, what)
    return _existing_local_time(naive, zone), zone


def parse_clock_or_when(text: str, start: datetime, zone: str) -> datetime:
    """An end: "15:30" (same day as the start) or a full date and time, in the start's zone by default."""
    words = text.split()
    if len(words) == 1 and _CLOCK.match(words[0]):
        text = f"{start:%Y-%m-%d} {words[0]}"
    return parse_when(text, zone, what="end")[0]


def resolve_times(
    fields: EventFields,
    *,
    now: datetime,
    current_start: datetime | None = None,
    current_end: datetime | None = None,
    current_zone: str | None = None,
) -> tuple[datetime, datetime, str]:
    """The (start, end, zone) an event gets: new values where given, else the current ones.

    A moved start keeps the event's length unless a new end or duration is given.
    """
    zone = fields.timezone or current_zone
    start = fields.start or (current_start.astimezone(ZoneInfo(zone)) if current_start and zone else None)
    if start is None or zone is None:
        raise UserError("When does it start?", hint=f'Add start="{EXAMPLE_START}".')
    end = _resolve_end(fields, start, zone, current_start, current_end)
    if fields.start is not None:
        _check_future(start, zone, now)
    _check_span(start, end, zone)
    return start.astimezone(UTC), end.astimezone(UTC), zone


def _check_future(start: datetime, zone: str, now: datetime) -> None:
    if start <= now:
        raise UserError(
            f"{start:%Y-%m-%d %H:%M} {zone} is in the past.", hint="Events must start in the future; check the year."
        )


def _resolve_end(
    fields: EventFields, start: datetime, zone: str, current_start: datetime | None, current_end: datetime | None
) -> datetime:
    if fields.end_text is not None:
        return parse_clock_or_when(fields.end_text, start, zone)
    if fields.duration is not None:
        return start + fields.duration
    if current_start is not None and current_end is not None:
        return start + (current_end - current_start)
    return start + DEFAULT_DURATION


def _check_span(start: datetime, end: datetime, zone: str) -> None:
    if end <= start:
        shown = end.astimezone(ZoneInfo(zone))
        raise UserError(
            f"The end ({shown:%Y-%m-%d %H:%M}) is not after the start ({start:%Y-%m-%d %H:%M}).",
            hint="Give a later end, or a duration such as duration=90m.",
        )
    if end - start > MAX_DURATION:
        raise UserError(f"That is longer than {MAX_DURATION.days} days; split it into several events.")
