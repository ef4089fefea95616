"""An event as a coordinator gives it, and when it happens.

`EventFields` is what adding or editing an event takes: each value already checked on its own (by
bot/events/input.py, which reads what was typed). Times are the part that must be checked together and
against the event as it is - a new end may be a clock time on the start's day, a moved start keeps the
event's length - so reading a date and time in a zone, and `resolve_times`, live here with the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Callable
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.errors import UserError
from config.vocabulary import parse_timezone

MAX_DURATION = timedelta(days=14)
DEFAULT_DURATION = timedelta(hours=1)
# How far ahead an event may start: enough for any real plan, and it catches a mistyped year as "in the past" does.
MAX_YEARS_AHEAD = 5
# The times the bot can work with at all. Everything it derives from an event (its times in any zone, a
# calendar file's zone rules a year past its end) must stay within the years a date can have (1 to 9999).
# New events are held to MAX_YEARS_AHEAD, far inside; bot/events/calendar_range.py leaves out an event stored
# outside this range anyway.
EARLIEST_SAFE_TIME = datetime(MINYEAR + 1, 1, 1, tzinfo=UTC)
LATEST_SAFE_TIME = datetime(MAXYEAR - 1, 1, 1, tzinfo=UTC)
EXAMPLE_START = "2026-12-03 14:00 Europe/Copenhagen"
_ZONE_HINT = "Use an IANA name after the time, for example Europe/Copenhagen, America/New_York or UTC."
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(am|pm)$|^(\d{1,2})[:.](\d{2})$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# Dates as people write them, in English: "today", "tomorrow", "friday" (the next one after today), "20 Dec",
# "December 20, 2026" (a date without its year is the next one to come).
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_DATE_FILLERS = frozenset({"on", "next", "this", "the", "of", "at"})
# "Today" and "tomorrow" in the languages members ask in, as days from today ("i morgen 14:00", "demain 9:30").
_RELATIVE_DAYS = {
    "today": 0, "tomorrow": 1, "i dag": 0, "idag": 0, "i morgen": 1, "imorgen": 1, "i morgon": 1, "imorgon": 1,
    "heute": 0, "morgen": 1, "vandaag": 0, "aujourd'hui": 0, "demain": 1, "hoy": 0, "mañana": 1, "leo": 0, "kesho": 1,
}
_DAY_NUMBER = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$", re.IGNORECASE)
DATE_HINT = "YYYY-MM-DD HH:MM Zone, or with a day such as tomorrow, friday or 20 Dec and a time such as 14:00 or 2pm"


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


def _read_local(text: str, words: list[str], what: str, today: Callable[[], date] | None) -> datetime:
    """The date and clock time typed, without their zone; `today` (in the event's zone) for a relative date."""
    clock = _CLOCK.match(words[-1]) if words else None
    if clock is None:
        raise UserError(f"“{text[:60]}” has no time of day.", hint=f"Write the {what} as {DATE_HINT}, e.g. {EXAMPLE_START}.")
    hour, minute, half = (clock.group(1), clock.group(2), clock.group(3)) if clock.group(1) else (clock.group(4), clock.group(5), None)
    hour, minute = int(hour), int(minute or 0)
    on_the_clock = (1 <= hour <= 12 if half else hour <= 23) and minute <= 59  # "13pm", "24:00": no time
    if half:
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    day = _read_date(words[:-1], today)
    if day is None or not on_the_clock:
        raise UserError(
            f"“{text[:60]}” is not a date and time I can read.", hint=f"Write the {what} as {DATE_HINT}, e.g. {EXAMPLE_START}."
        )
    return datetime.combine(day, time(hour, minute))


def _read_date(words: list[str], today: Callable[[], date] | None) -> date | None:
    """The day of `words` (an ISO date, or as people write it when `today` is known), or None."""
    if len(words) == 1 and (iso := _ISO_DATE.match(words[0])):
        try:
            return date(*(int(part) for part in iso.groups()))
        except ValueError:
            return None
    said = [word.strip(",").lower() for word in words if word.strip(",").lower() not in _DATE_FILLERS]
    if today is None or not said:
        return None
    if (days := _RELATIVE_DAYS.get(" ".join(said).replace("’", "'"))) is not None:
        return today() + timedelta(days=days)
    if len(said) == 1 and (weekday := _named(said[0], _WEEKDAYS)) is not None:
        return today() + timedelta(days=(weekday - today().weekday() - 1) % 7 + 1)
    return _day_of_month(said, today)


def _day_of_month(said: list[str], today: Callable[[], date]) -> date | None:
    """"20 dec", "december 20", "20 december 2026" (the next such day to come when the year is left out)."""
    year = int(said.pop()) if len(said) == 3 and re.fullmatch(r"\d{4}", said[-1]) else None
    if len(said) != 2:
        return None
    number, month_word = (_DAY_NUMBER.match(said[0]), said[1]) if _DAY_NUMBER.match(said[0]) else (_DAY_NUMBER.match(said[1]), said[0])
    month = _named(month_word, _MONTHS)
    if number is None or month is None:
        return None
    try:
        day = date(year or today().year, month + 1, int(number.group(1)))
        if year is None and day < today():
            day = day.replace(year=day.year + 1)
    except ValueError:
        return None
    return day


def _named(word: str, names: tuple[str, ...]) -> int | None:
    """The index of the name `word` is, whole or its first three letters or more ("fri", "sept")."""
    return next((i for i, name in enumerate(names) if len(word) >= 3 and name.startswith(word)), None)


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


def latest_start(now: datetime) -> datetime:
    """The latest start an event may have: MAX_YEARS_AHEAD years from `now` (29 February falls back a day)."""
    try:
        return now.replace(year=now.year + MAX_YEARS_AHEAD)
    except ValueError:
        return now.replace(year=now.year + MAX_YEARS_AHEAD, day=28)


def _too_far_ahead(shown: str, now: datetime | None) -> UserError:
    until = f" (until {latest_start(now):%Y-%m-%d})" if now is not None else ""
    return UserError(
        f"{shown} is more than {MAX_YEARS_AHEAD} years ahead.",
        hint=f"Events may start at most {MAX_YEARS_AHEAD} years ahead{until}; check the year.",
    )


def _check_convertible(naive: datetime, zone: str, now: datetime | None) -> None:
    """Refuse a date near either end of the calendar before converting it between zones, which would fail."""
    shown = f"{naive.year:04d}-{naive:%m-%d %H:%M} {zone}"
    if naive < EARLIEST_SAFE_TIME.replace(tzinfo=None):
        raise UserError(f"{shown} is in the past.", hint="Events must start in the future; check the year.")
    if naive > LATEST_SAFE_TIME.replace(tzinfo=None):
        raise _too_far_ahead(shown, now)


def parse_when(text: str, default_zone: str | None, *, what: str = "start", now: datetime | None = None) -> tuple[datetime, str]:
    """ "2026-12-03 14:00 Europe/Copenhagen", or with `now` "tomorrow 2pm", "friday 9:30", "20 Dec 14:00"
    -> (aware datetime in that zone, zone name)."""
    text = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", text, flags=re.IGNORECASE)  # "2 pm" is one clock time
    words = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})T", r"\1 ", text.strip()).split()
    if not words:
        raise UserError(f"The {what} is empty.", hint=f'For example: {what}="{EXAMPLE_START}"')
    words, zone = _split_zone(words)

    def today() -> date:  # in the event's zone, which a relative date needs first
        assert now is not None
        return now.astimezone(ZoneInfo(_require_zone(zone or default_zone, what))).date()

    naive = _read_local(text, words, what, today if now is not None else None)
    zone = _require_zone(zone or default_zone, what)
    _check_convertible(naive, zone, now)
    return _existing_local_time(naive, zone), zone


def parse_clock_or_when(text: str, start: datetime, zone: str, now: datetime | None = None) -> datetime:
    """An end: "15:30" or "5pm" (same day as the start) or a date and time, in the start's zone by default."""
    words = text.split()
    if len(words) == 1 and _CLOCK.match(words[0]):
        text = f"{start:%Y-%m-%d} {words[0]}"
    return parse_when(text, zone, what="end", now=now)[0]


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
    end = _resolve_end(fields, start, zone, current_start, current_end, now)
    if fields.start is not None:
        _check_future(start, zone, now)
        _check_ahead(start, zone, now)
    _check_span(start, end, zone)
    return start.astimezone(UTC), end.astimezone(UTC), zone


def _check_future(start: datetime, zone: str, now: datetime) -> None:
    if start <= now:
        raise UserError(
            f"{start:%Y-%m-%d %H:%M} {zone} is in the past.", hint="Events must start in the future; check the year."
        )


def _check_ahead(start: datetime, zone: str, now: datetime) -> None:
    if start > latest_start(now):
        raise _too_far_ahead(f"{start:%Y-%m-%d %H:%M} {zone}", now)


def _resolve_end(
    fields: EventFields, start: datetime, zone: str, current_start: datetime | None, current_end: datetime | None,
    now: datetime,
) -> datetime:
    if fields.end_text is not None:
        return parse_clock_or_when(fields.end_text, start, zone, now)
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
