"""Reading what a coordinator types about an event: `key=value` pairs, dates with time zones, durations.

`event add title="Obesity in schools" start="2026-12-03 14:00 Europe/Copenhagen" duration=90m` and the
same pairs from a submitted form. Quotes are optional: a word without `=` continues the previous value,
so `title=Obesity in schools` works too. Every mistake gets a message that says what to type instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from config.errors import UserError
from config.vocabulary import THEMES, parse_theme, parse_timezone

FIELDS = ("title", "start", "end", "duration", "place", "link", "where", "themes", "description")
_ALIASES = {
    "name": "title",
    "when": "start",
    "starts": "start",
    "ends": "end",
    "length": "duration",
    "location": "place",
    "url": "link",
    "theme": "themes",
    "tags": "themes",
    "about": "description",
    "desc": "description",
}
MAX_TITLE = 200
MAX_PLACE = 300
MAX_LINK = 500
MAX_DESCRIPTION = 2000
MAX_DURATION = timedelta(days=14)
DEFAULT_DURATION = timedelta(hours=1)

EXAMPLE_START = "2026-12-03 14:00 Europe/Copenhagen"
ONE_LINE_SYNTAX = (
    'event add title="Obesity in schools" start="2026-12-03 14:00 Europe/Copenhagen" duration=90m '
    'place="Online" link=https://example.org themes=obesity,equity description="What worked, what did not"'
)
_ZONE_HINT = "Use an IANA name after the time, for example Europe/Copenhagen, America/New_York or UTC."
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}$")
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_UNIT = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
_DURATION_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m)", re.IGNORECASE)


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


def parse_pairs(words: list[str]) -> dict[str, str]:
    """`["title=Obesity", "in", "schools", "duration=90m"]` -> {"title": "Obesity in schools", "duration": "90m"}."""
    pairs: dict[str, str] = {}
    current: str | None = None
    for word in words:
        key, sep, value = word.partition("=")
        name = _ALIASES.get(key.lower(), key.lower())
        if sep and re.fullmatch(r"[A-Za-z_]+", key):
            if name not in FIELDS:
                raise UserError(
                    f"“{key[:30]}” is not an event field.",
                    hint="Fields: " + ", ".join(f for f in FIELDS if f != "where") + ".",
                )
            if name in pairs:
                raise UserError(f"`{name}` is given twice; give each field once.")
            pairs[name] = value
            current = name
        elif current is None:
            raise UserError(
                f"I expected `field=value` pairs, but got “{word[:40]}”.",
                hint=f"For example: `{ONE_LINE_SYNTAX}`",
            )
        else:
            pairs[current] = f"{pairs[current]} {word}".strip()
    return {key: " ".join(value.split()) if key != "description" else value.strip() for key, value in pairs.items()}


def parse_when(text: str, default_zone: str | None, *, what: str = "start") -> tuple[datetime, str]:
    """ "2026-12-03 14:00 Europe/Copenhagen" -> (aware datetime in that zone, zone name)."""
    words = text.split()
    if not words:
        raise UserError(f"The {what} is empty.", hint=f'For example: {what}="{EXAMPLE_START}"')
    zone = None
    if len(words) > 1 and not _CLOCK.match(words[-1]) and not _DATE.match(words[-1]):
        zone = parse_timezone(words[-1])
        if zone is None:
            raise UserError(f"“{words[-1][:40]}” is not a time zone I know.", hint=_ZONE_HINT)
        words = words[:-1]
    local_text = " ".join(words).replace("T", " ", 1)
    if not re.search(r"\d{1,2}[:.]\d{2}\s*$", local_text):
        raise UserError(
            f"“{text[:60]}” has no time of day.",
            hint=f"Write the {what} as YYYY-MM-DD HH:MM Zone, e.g. {EXAMPLE_START}.",
        )
    local_text = re.sub(r"(\d{1,2})\.(\d{2})\s*$", r"\1:\2", local_text)
    try:
        naive = datetime.strptime(local_text, "%Y-%m-%d %H:%M")
    except ValueError:
        raise UserError(
            f"“{text[:60]}” is not a date and time I can read.",
            hint=f"Write the {what} as YYYY-MM-DD HH:MM Zone, e.g. {EXAMPLE_START}.",
        ) from None
    zone = zone or default_zone
    if zone is None:
        raise UserError(
            f"Which time zone is the {what} in?",
            hint=f'Add it after the time, e.g. {what}="{EXAMPLE_START}", '
            "or set yours once with `profile set timezone Europe/Copenhagen`.",
        )
    tz = ZoneInfo(zone)
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise UserError(
            f"{naive:%H:%M} on {naive.day} {naive:%b %Y} does not exist in {zone}: the clocks jump forward then.",
            hint="Pick a time an hour later or earlier.",
        )
    return aware, zone


def parse_clock_or_when(text: str, start: datetime, zone: str) -> datetime:
    """An end: "15:30" (same day as the start) or a full date and time, in the start's zone by default."""
    words = text.split()
    if len(words) == 1 and _CLOCK.match(words[0]):
        text = f"{start:%Y-%m-%d} {words[0]}"
    return parse_when(text, zone, what="end")[0]


def parse_duration(text: str) -> timedelta:
    """90m, 1h30m, 1.5h, 2 hours, 1d; a bare number is minutes."""
    compact = text.strip().lower()
    if compact.isdigit():
        total = timedelta(minutes=int(compact))
    else:
        parts = _DURATION_PART.findall(compact)
        leftover = _DURATION_PART.sub("", compact).replace(" ", "")
        if not parts or leftover:
            raise UserError(
                f"“{text[:30]}” is not a duration I can read.", hint="Use minutes or hours, e.g. 90m, 1h30m, 2h."
            )
        total = sum((_UNIT[unit[0]] * float(amount.replace(",", ".")) for amount, unit in parts), timedelta())
    if total <= timedelta():
        raise UserError("The duration must be longer than zero.")
    if total > MAX_DURATION:
        raise UserError(f"That is longer than {MAX_DURATION.days} days; split it into several events.")
    return total


def parse_themes(text: str) -> list[str]:
    themes: list[str] = []
    for raw in re.split(r"[,;]", text):
        if not raw.strip():
            continue
        theme = parse_theme(raw)
        if theme is None:
            raise UserError(
                f"“{raw.strip()[:40]}” is not one of our themes.", hint="Themes: " + ", ".join(THEMES) + "."
            )
        if theme not in themes:
            themes.append(theme)
    return themes


def _limited(name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise UserError(f"The {name} is {len(value):,} characters long; the limit is {limit:,}.")
    return value


def _link(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise UserError(f"“{value[:60]}” is not a web link.", hint="Links start with https:// (or http://).")
    return _limited("link", value, MAX_LINK)


def read_fields(words: list[str], *, default_zone: str | None) -> EventFields:
    """Validate each given field on its own; `resolve_times` checks them together."""
    pairs = parse_pairs(words)
    fields = EventFields(given=set(pairs))
    if "title" in pairs:
        title = pairs["title"]
        if not title:
            raise UserError("The title is empty.", hint='Give one, e.g. title="Obesity in schools".')
        fields.title = _limited("title", title, MAX_TITLE)
    if "start" in pairs:
        fields.start, fields.timezone = parse_when(pairs["start"], default_zone)
    if "end" in pairs:
        fields.end_text = pairs["end"]
    if "duration" in pairs:
        fields.duration = parse_duration(pairs["duration"])
    if "end" in pairs and "duration" in pairs:
        raise UserError("Give either an end or a duration, not both.")
    if "where" in pairs:  # the form's single "where" field: a link or a place
        where = pairs.pop("where")
        name = "link" if re.match(r"^https?://", where, re.IGNORECASE) else "place"
        if name in pairs:
            raise UserError(f"`where` and `{name}` say the same thing; give one of them.")
        pairs[name] = where
        fields.given = set(pairs)
    if "place" in pairs:
        fields.place = _limited("place", pairs["place"], MAX_PLACE) or None
    if "link" in pairs:
        fields.link = _link(pairs["link"]) if pairs["link"] else None
    if "themes" in pairs:
        fields.themes = parse_themes(pairs["themes"])
    if "description" in pairs:
        fields.description = _limited("description", pairs["description"], MAX_DESCRIPTION) or None
    return fields


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
    if fields.end_text is not None:
        end = parse_clock_or_when(fields.end_text, start, zone)
    elif fields.duration is not None:
        end = start + fields.duration
    elif current_start is not None and current_end is not None:
        end = start + (current_end - current_start)
    else:
        end = start + DEFAULT_DURATION
    if fields.start is not None and start <= now:
        raise UserError(
            f"{start:%Y-%m-%d %H:%M} {zone} is in the past.", hint="Events must start in the future; check the year."
        )
    if end <= start:
        shown = end.astimezone(ZoneInfo(zone))
        raise UserError(
            f"The end ({shown:%Y-%m-%d %H:%M}) is not after the start ({start:%Y-%m-%d %H:%M}).",
            hint="Give a later end, or a duration such as duration=90m.",
        )
    if end - start > MAX_DURATION:
        raise UserError(f"That is longer than {MAX_DURATION.days} days; split it into several events.")
    return start.astimezone(UTC), end.astimezone(UTC), zone
