"""Reading what a member types about events: `key=value` pairs, durations, themes, event numbers, RSVPs.

`event add title="Obesity in schools" start="2026-12-03 14:00 Europe/Copenhagen" duration=90m` and the
same pairs from a submitted form. Quotes are optional: a word without `=` continues the previous value,
so `title=Obesity in schools` works too. Dates with time zones are read by bot/events/fields.py.
Every mistake gets a message that says what to type instead.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.events.fields import MAX_DURATION, EventFields, parse_when
from bot.ids import is_plain_number, parse_id
from config.errors import UserError
from config.vocabulary import THEMES, parse_theme

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
ONE_LINE_SYNTAX = (
    'event add title="Obesity in schools" start="2026-12-03 14:00 Europe/Copenhagen" duration=90m '
    'place="Online" link=https://example.org themes=obesity,equity description="What worked, what did not"'
)
_UNIT_MINUTES = {"d": 24 * 60, "h": 60, "m": 1}
_DURATION_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(days?|d|hours?|hrs?|h|minutes?|mins?|m)", re.IGNORECASE)


def _field_name(key: str) -> str:
    name = _ALIASES.get(key.lower(), key.lower())
    if name not in FIELDS:
        raise UserError(
            f"“{key[:30]}” is not an event field.",
            hint="Fields: " + ", ".join(f for f in FIELDS if f != "where") + ".",
        )
    return name


def _continue_value(pairs: dict[str, str], current: str | None, word: str) -> None:
    """A word without `=` continues the previous value."""
    if current is None:
        raise UserError(
            f"I expected `field=value` pairs, but got “{word[:40]}”.",
            hint=f"For example: `{ONE_LINE_SYNTAX}`",
        )
    pairs[current] = f"{pairs[current]} {word}".strip()


def parse_pairs(words: list[str]) -> dict[str, str]:
    """`["title=Obesity", "in", "schools", "duration=90m"]` -> {"title": "Obesity in schools", "duration": "90m"}."""
    pairs: dict[str, str] = {}
    current: str | None = None
    for word in words:
        key, sep, value = word.partition("=")
        if not (sep and re.fullmatch(r"[A-Za-z_]+", key)):
            _continue_value(pairs, current, word)
            continue
        name = _field_name(key)
        if name in pairs:
            raise UserError(f"`{name}` is given twice; give each field once.")
        pairs[name] = value
        current = name
    return {key: " ".join(value.split()) if key != "description" else value.strip() for key, value in pairs.items()}


def parse_duration(text: str) -> timedelta:
    """90m, 1h30m, 1.5h, 2 hours, 1d; a bare number is minutes."""
    compact = text.strip().lower()
    if is_plain_number(compact):
        minutes = float(compact)
    else:
        parts = _DURATION_PART.findall(compact)
        leftover = _DURATION_PART.sub("", compact).replace(" ", "")
        if not parts or leftover:
            raise UserError(
                f"“{text[:30]}” is not a duration I can read.", hint="Use minutes or hours, e.g. 90m, 1h30m, 2h."
            )
        minutes = sum(_UNIT_MINUTES[unit[0]] * float(amount.replace(",", ".")) for amount, unit in parts)
    # Compared as a number first: a duration of many digits is too large for a timedelta.
    if minutes <= 0:
        raise UserError("The duration must be longer than zero.")
    if minutes > MAX_DURATION / timedelta(minutes=1):
        raise UserError(f"That is longer than {MAX_DURATION.days} days; split it into several events.")
    return timedelta(minutes=minutes)


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


def _title(title: str) -> str:
    if not title:
        raise UserError("The title is empty.", hint='Give one, e.g. title="Obesity in schools".')
    return _limited("title", title, MAX_TITLE)


def _read_times(pairs: dict[str, str], fields: EventFields, default_zone: str | None, now: datetime | None) -> None:
    if "start" in pairs:
        fields.start, fields.timezone = parse_when(pairs["start"], default_zone, now=now)
    if "end" in pairs:
        fields.end_text = pairs["end"]
    if "duration" in pairs:
        fields.duration = parse_duration(pairs["duration"])
    if "end" in pairs and "duration" in pairs:
        raise UserError("Give either an end or a duration, not both.")


def _split_where(pairs: dict[str, str], fields: EventFields) -> None:
    """The form's single "where" field: a link or a place."""
    if "where" not in pairs:
        return
    where = pairs.pop("where")
    name = "link" if re.match(r"^https?://", where, re.IGNORECASE) else "place"
    if name in pairs:
        raise UserError(f"`where` and `{name}` say the same thing; give one of them.")
    pairs[name] = where
    fields.given = set(pairs)


def _read_details(pairs: dict[str, str], fields: EventFields) -> None:
    if "place" in pairs:
        fields.place = _limited("place", pairs["place"], MAX_PLACE) or None
    if "link" in pairs:
        fields.link = _link(pairs["link"]) if pairs["link"] else None
    if "themes" in pairs:
        fields.themes = parse_themes(pairs["themes"])
    if "description" in pairs:
        fields.description = _limited("description", pairs["description"], MAX_DESCRIPTION) or None


def read_fields(words: list[str], *, default_zone: str | None, now: datetime | None = None) -> EventFields:
    """Validate each given field on its own; `resolve_times` checks them together (`now`: for a start said
    relative to today, such as "tomorrow 14:00")."""
    pairs = parse_pairs(words)
    fields = EventFields(given=set(pairs))
    if "title" in pairs:
        fields.title = _title(pairs["title"])
    _read_times(pairs, fields, default_zone, now)
    _split_where(pairs, fields)
    _read_details(pairs, fields)
    return fields


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
    return parse_id(text, what="event", example="event show 12", listing="`event list` shows upcoming events.")
