"""When a channel's digest is due, and which period it covers.

A schedule is daily, weekly (a weekday) or monthly (the first given weekday of the month), at a local
time in the channel's time zone, so "Monday 09:00 Europe/Copenhagen" stays 09:00 across daylight-saving
changes. Each slot belongs to a period (a day, an ISO week, a month): the period key is what makes a
digest happen once per channel and period, even if the schedule is changed within the period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.errors import UserError
from config.vocabulary import parse_timezone, zone_label

FREQUENCIES = ("daily", "weekly", "monthly")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS = {name.lower(): index for index, name in enumerate(WEEKDAY_NAMES)}
_WEEKDAYS.update({name[:3].lower(): index for index, name in enumerate(WEEKDAY_NAMES)})
_WEEKDAYS.update({name.lower() + "s": index for index, name in enumerate(WEEKDAY_NAMES)})
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
SYNTAX = "digest schedule weekly monday 09:00 Europe/Copenhagen"


@dataclass(frozen=True)
class DigestSpec:
    frequency: str  # daily, weekly, monthly
    weekday: int | None  # 0 = Monday; weekly and monthly only
    time_of_day: str  # "09:00"
    timezone: str

    @property
    def signature(self) -> str:
        """Stored with each digest job: a job made for an older version of the schedule is dropped."""
        return f"{self.frequency}:{self.weekday}:{self.time_of_day}:{self.timezone}"

    @classmethod
    def from_signature(cls, signature: str) -> DigestSpec | None:
        """The schedule a stored signature stands for; None for one that cannot be read."""
        try:
            frequency, weekday, hours, minutes, timezone = signature.split(":", 4)
        except ValueError:
            return None
        return cls(frequency, int(weekday) if weekday.isdigit() else None, f"{hours}:{minutes}", timezone)

    def describe(self) -> str:
        at = f"at {self.time_of_day} {zone_label(self.timezone)}"
        if self.frequency == "daily":
            return f"every day {at}"
        day = WEEKDAY_NAMES[self.weekday or 0]
        if self.frequency == "weekly":
            return f"every {day} {at}"
        return f"on the first {day} of each month {at}"

    @property
    def lookback(self) -> timedelta:
        """What the first digest of a channel covers (later ones cover the time since the last one)."""
        return {"daily": timedelta(days=1), "weekly": timedelta(days=7)}.get(self.frequency, timedelta(days=31))

    @property
    def horizon(self) -> timedelta:
        """How far ahead a digest lists upcoming events."""
        return {"daily": timedelta(days=7), "weekly": timedelta(days=14)}.get(self.frequency, timedelta(days=35))


MANUAL_SPEC_LOOKBACK = timedelta(days=7)


def parse_spec(words: list[str], *, default_zone: str | None) -> DigestSpec:
    """`weekly monday 09:00 Europe/Copenhagen`, `daily 08:30`, `monthly tuesday 10:00 UTC`."""
    words = [word for word in words if word.lower() not in {"on", "at", "every", "each"}]
    frequency = _take_frequency(words)
    weekday = _take_weekday(words, frequency)
    time_of_day = _take_time(words)
    zone = _take_zone(words) if words else default_zone or "UTC"
    if words:
        raise UserError(f"I don't know what “{' '.join(words)[:40]}” means here.", hint=f"For example: `{SYNTAX}`.")
    return DigestSpec(frequency=frequency, weekday=weekday, time_of_day=time_of_day, timezone=zone)


# Each `_take_*` reads its part from the front of `words`, if there, and removes it.


def _take_frequency(words: list[str]) -> str:
    if not words or words[0].lower() not in FREQUENCIES:
        raise UserError("How often: daily, weekly or monthly?", hint=f"For example: `{SYNTAX}`.")
    return words.pop(0).lower()


def _take_weekday(words: list[str], frequency: str) -> int | None:
    if not (words and words[0].lower() in _WEEKDAYS):
        return None if frequency == "daily" else 0  # weekly and monthly default to Monday
    if frequency == "daily":
        raise UserError("A daily digest has no weekday.", hint="For example: `digest schedule daily 08:30 UTC`.")
    return _WEEKDAYS[words.pop(0).lower()]


def _take_time(words: list[str]) -> str:
    matched = _TIME.match(words[0]) if words else None
    if matched is None:
        return "09:00"
    words.pop(0)
    hours, minutes = (int(part) for part in matched.groups())
    if hours > 23 or minutes > 59:
        raise UserError("That is not a time of day.", hint="Use 24-hour HH:MM, e.g. 09:00 or 16:30.")
    return f"{hours:02d}:{minutes:02d}"


def _take_zone(words: list[str]) -> str:
    zone = parse_timezone(words[0])
    if zone is None:
        if len(words) == 1 and "/" not in words[0] and not words[0].isalpha():
            raise UserError(f"“{words[0][:30]}” is not a time of day.", hint="Use 24-hour HH:MM, e.g. 09:00.")
        raise UserError(
            f"“{words[0][:40]}” is not a time zone I know (or not a weekday).",
            hint=f"Write it as `{SYNTAX}`; zones are IANA names such as Europe/Copenhagen or UTC.",
        )
    words.pop(0)
    return zone


def _matches(spec: DigestSpec, day: date) -> bool:
    if spec.frequency == "daily":
        return True
    if day.weekday() != spec.weekday:
        return False
    return spec.frequency == "weekly" or day.day <= 7


def next_slot(spec: DigestSpec, after: datetime) -> datetime:
    """The first scheduled moment strictly after `after`, in UTC."""
    zone = ZoneInfo(spec.timezone)
    hours, minutes = (int(part) for part in spec.time_of_day.split(":"))
    day = after.astimezone(zone).date()
    for offset in range(0, 40):
        candidate_day = day + timedelta(days=offset)
        if not _matches(spec, candidate_day):
            continue
        candidate = datetime.combine(candidate_day, time(hours, minutes), tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate
    raise AssertionError("every schedule has a slot within 40 days")


def period_key(spec: DigestSpec, slot: datetime) -> str:
    """day:2026-11-09, week:2026-W46, month:2026-11 (from the slot's local date)."""
    local = slot.astimezone(ZoneInfo(spec.timezone)).date()
    if spec.frequency == "daily":
        return f"day:{local.isoformat()}"
    if spec.frequency == "weekly":
        year, week, _ = local.isocalendar()
        return f"week:{year}-W{week:02d}"
    return f"month:{local:%Y-%m}"


def manual_period_key(now: datetime) -> str:
    """`digest now` twice within a minute (a double send, two processes) posts once."""
    return f"manual:{now.astimezone(UTC):%Y-%m-%dT%H:%M}"


def describe_period(key: str) -> str:
    """A period key in words: "week:2026-W46" -> "week 46, 9–15 Nov 2026"; "manual:…" -> sent with `digest now`."""
    kind, _, value = key.partition(":")
    try:
        if kind == "day":
            day = date.fromisoformat(value)
            return f"{day:%a} {day.day} {day:%b %Y}"
        if kind == "week":
            year, week = value.split("-W")
            monday = date.fromisocalendar(int(year), int(week), 1)
            sunday = monday + timedelta(days=6)
            start = f"{monday.day}" if monday.month == sunday.month else f"{monday.day} {monday:%b}"
            return f"week {int(week)}, {start}–{sunday.day} {sunday:%b %Y}"
        if kind == "month":
            return datetime.strptime(value, "%Y-%m").strftime("%B %Y")
        if kind == "manual":
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M")
            return f"`digest now` on {moment.day} {moment:%b %Y, %H:%M} UTC"
    except ValueError:
        pass
    return key  # a key from a newer or older version: shown as it is rather than hidden
