"""How events look in chat: times in the reader's own zone (with the event's zone), sections, buttons."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.reply import Button, Field, Link, Section
from config.vocabulary import THEMES
from storage.models import Event

RSVP_LABELS = {"going": "Going", "interested": "Interested", "not_going": "Not going"}


def _day(moment: datetime, *, year: bool) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}" + (f" {moment:%Y}" if year else "")


def _span(start: datetime, end: datetime, *, year: bool) -> str:
    if start.date() == end.date():
        return f"{_day(start, year=year)}, {start:%H:%M}–{end:%H:%M}"
    return f"{_day(start, year=year)}, {start:%H:%M} – {_day(end, year=False)}, {end:%H:%M}"


def format_when(starts_at: datetime, ends_at: datetime, event_zone: str, reader_zone: str | None) -> str:
    """ "Thu 3 Dec 2026, 08:00–09:30 America/New_York (14:00–15:30 in Europe/Copenhagen)"."""
    reader = reader_zone or "UTC"
    zone = ZoneInfo(reader)
    shown = f"{_span(starts_at.astimezone(zone), ends_at.astimezone(zone), year=True)} {reader}"
    if event_zone == reader:
        return shown
    original = ZoneInfo(event_zone)
    start, end = starts_at.astimezone(original), ends_at.astimezone(original)
    same_day = start.date() == starts_at.astimezone(zone).date()
    original_text = (
        f"{start:%H:%M}–{end:%H:%M}" if same_day and start.date() == end.date() else _span(start, end, year=False)
    )
    return f"{shown} ({original_text} in {event_zone})"


def starts_in(starts_at: datetime, now: datetime) -> str:
    """ "in 24 hours", "in 55 minutes", "in 2 days"."""
    left = starts_at - now
    if left <= timedelta():
        return "now"
    minutes = round(left.total_seconds() / 60)
    if minutes < 60:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    if hours < 48:
        return f"in {hours} hour{'s' if hours != 1 else ''}"
    return f"in {round(hours / 24)} days"


def where_text(event: Event) -> str:
    return " · ".join(part for part in (event.place, event.link) if part) or "—"


def themes_text(themes: list[str]) -> str:
    return ", ".join(THEMES.get(theme, theme) for theme in themes) or "—"


def rsvp_buttons(event_id: int, *, details: bool = True) -> list[Button]:
    buttons = [
        Button("Going", f"event rsvp {event_id} going", "primary"),
        Button("Interested", f"event rsvp {event_id} interested"),
        Button("Not going", f"event rsvp {event_id} not_going"),
    ]
    if details:
        buttons.append(Button("Details", f"event show {event_id}"))
    return buttons


def event_section(event: Event, reader_zone: str | None, *, buttons: bool = True) -> Section:
    """One event in a list: title, when (reader's zone), where, themes, RSVP buttons."""
    title = f"#{event.id} {event.title}"
    if event.status == "cancelled":
        title += " (cancelled)"
    return Section(
        title=title,
        fields=[
            Field("When", format_when(event.starts_at, event.ends_at, event.timezone, reader_zone)),
            Field("Where", where_text(event)),
            Field("Themes", themes_text(event.themes)),
        ],
        buttons=rsvp_buttons(event.id) if buttons and event.status == "scheduled" else [],
    )


def event_detail_sections(
    event: Event,
    reader_zone: str | None,
    *,
    counts: dict[str, int],
    own_status: str | None,
    organiser: str | None,
    is_coordinator: bool,
    now: datetime,
) -> list[Section]:
    fields = [
        Field("When", format_when(event.starts_at, event.ends_at, event.timezone, reader_zone)),
        Field("Where", event.place or "—"),
        Field("Themes", themes_text(event.themes)),
        Field("Organiser", organiser or "—"),
        Field("Going", f"{counts.get('going', 0)} · interested {counts.get('interested', 0)}"),
        Field("You", RSVP_LABELS.get(own_status or "", "no answer yet")),
    ]
    main = Section(
        title=f"#{event.id} {event.title}" + (" (cancelled)" if event.status == "cancelled" else ""),
        text=event.description or "",
        fields=fields,
        link=Link("Join / more", event.link) if event.link else None,
    )
    buttons: list[Button] = []
    if event.status == "scheduled" and event.ends_at > now:
        buttons = rsvp_buttons(event.id, details=False)
    if event.status == "scheduled":  # nothing to add once cancelled (RSVPs got a file that removes it)
        buttons.append(Button("Add to calendar", f"event ics {event.id}"))
    if is_coordinator:
        buttons.append(Button("Attendees", f"event attendees {event.id}"))
    main.buttons = buttons
    sections = [main]
    if reader_zone is None:
        sections.append(
            Section(context="Times are in UTC. Set your own zone with `profile set timezone Europe/Copenhagen`.")
        )
    return sections
