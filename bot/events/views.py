"""How events look in chat: times in the reader's own zone (with the event's zone), sections, buttons, the
form, calendar files and the answers to `event` commands (the messages sent to members are in `notices`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.audit import AuditWording
from bot.events.attendance import AttendanceList, AttendanceRecorded
from bot.events.errors import (
    ANSWERING,
    CANCELLING,
    EDITING,
    OPENING_EDIT_FORM,
    RECORDING_ATTENDANCE,
    AlreadyCancelled,
    EventCancelled,
    EventOver,
    EventRefused,
    MissingField,
    NoSuchEvent,
    NotStartedYet,
    TooManyNamed,
)
from bot.events.fields import EXAMPLE_START
from bot.events.form import event_form
from bot.events.ical import MIME_TYPE, build_calendar
from bot.events.input import ONE_LINE_SYNTAX
from bot.events.service import Attendee, EventAudit, EventDetails, EventEdit, Notified, RsvpAnswer
from bot.reply import Attachment, Button, Field, Link, Reply, Section
from config.errors import RefusalWording, WordedError
from config.vocabulary import THEMES, zone_label
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
    shown = f"{_span(starts_at.astimezone(zone), ends_at.astimezone(zone), year=True)} {zone_label(reader)}"
    if event_zone == reader:
        return shown
    original = ZoneInfo(event_zone)
    start, end = starts_at.astimezone(original), ends_at.astimezone(original)
    same_day = start.date() == starts_at.astimezone(zone).date()
    original_text = (
        f"{start:%H:%M}–{end:%H:%M}" if same_day and start.date() == end.date() else _span(start, end, year=False)
    )
    return f"{shown} ({original_text} in {zone_label(event_zone)})"


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
    main.buttons = _member_buttons(event, now) + (_coordinator_buttons(event, now) if is_coordinator else [])
    sections = [main]
    if reader_zone is None:
        sections.append(
            Section(context="Times are in UTC. Set your own zone with `profile set timezone Europe/Copenhagen`.")
        )
    return sections


def _member_buttons(event: Event, now: datetime) -> list[Button]:
    if event.status != "scheduled":  # nothing to add once cancelled (RSVPs got a file that removes it)
        return []
    rsvp = rsvp_buttons(event.id, details=False) if event.ends_at > now else []
    attended = [Button("I attended", f"event attended {event.id}")] if event.starts_at <= now else []
    return [*rsvp, Button("Add to calendar", f"event ics {event.id}"), *attended]


def _coordinator_buttons(event: Event, now: datetime) -> list[Button]:
    buttons = [Button("Attendees", f"event attendees {event.id}")]
    if event.status == "scheduled" and event.starts_at <= now:
        buttons.append(Button("Attendance", f"event attendance {event.id}"))
    return buttons


def and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def people(count: int) -> str:
    return f"{count} person" if count == 1 else f"{count} people"


def offset_words(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def attendee_sections(event: Event, attendees: list[Attendee]) -> list[Section]:
    sections: list[Section] = []
    for status, label in RSVP_LABELS.items():
        group = [person for person in attendees if person.status == status]
        if group:
            sections.append(Section(title=f"{label} ({len(group)})", text="\n".join(map(_person_line, group))))
    return [Section(title=f"Attendees of #{event.id} {event.title}", context=_going_summary(attendees)), *sections]


def _going_summary(attendees: list[Attendee]) -> str:
    going = [person for person in attendees if person.status == "going"]
    countries = {person.country for person in going if person.country}
    sectors = {person.sector for person in going if person.sector}
    return f"Going: {len(going)} from {len(countries)} countries and {len(sectors)} sectors (where profiles say)."


def _person_line(person: Attendee) -> str:
    about = ", ".join(part for part in (person.organisation, person.country) if part)
    return f"• {person.name}" + (f" ({about})" if about else "")


def attendance_recorded(result: AttendanceRecorded, *, own: bool = False) -> Reply:
    """The answer to `event attended` (own) and `event attendance ID confirm|@names`."""
    event = result.event
    title = f"#{event.id} “{event.title}”"
    if own:
        if result.added:
            return Reply(text=f"Noted: you attended {title}. Thank you!", private=True, tone="success")
        return Reply(text=f"Your attendance at {title} was already recorded.", private=True)
    if not result.added and not result.already:
        return Reply(
            text=f"Nobody RSVPed going to {title}, so there was nobody to confirm.",
            sections=[Section(context=f"Name who came instead: `event attendance {event.id} @ana @ben`.")],
            private=True,
        )
    parts = []
    if result.added:
        parts.append(f"Recorded {people(len(result.added))} as attending {title}: {and_list(result.added)}.")
    else:
        parts.append(f"Nothing new for {title}.")
    if result.already:
        parts.append(f"Already recorded: {and_list(result.already)}.")
    return Reply(
        text=" ".join(parts),
        sections=[Section(context="Each attendance counts once, as an exchange between the attendee's and "
                                  "the organiser's organisation (`kpi`, the report).")],
        private=True,
        tone="success" if result.added else "info",
    )


def attendance_sections(listing: AttendanceList) -> list[Section]:
    """`event attendance ID`: who attended, as recorded, and who RSVPed going without a record yet."""
    event = listing.event
    attended = listing.attended
    countries = {person.country for person in attended if person.country}
    sectors = {person.sector for person in attended if person.sector}
    summary = (
        f"Attended: {len(attended)} from {len(countries)} countries and {len(sectors)} sectors (where profiles say)."
        if attended
        else "No attendance recorded yet."
    )
    sections = [Section(title=f"Attendance of #{event.id} {event.title}", context=summary)]
    if attended:
        sections.append(Section(title=f"Attended ({len(attended)})", text="\n".join(map(_person_line, attended))))
    waiting = listing.going_not_recorded
    if waiting:
        sections.append(
            Section(
                title=f"Going, not recorded as attending ({len(waiting)})",
                text="\n".join(map(_person_line, waiting)),
                context=f"`event attendance {event.id} confirm` records everyone who RSVPed going; "
                f"`event attendance {event.id} @ana @ben` records the members you name.",
                buttons=[Button("Confirm all going", f"event attendance {event.id} confirm", "primary")],
            )
        )
    return sections


def event_attachment(event: Event, *, now: datetime) -> Attachment:
    return Attachment(
        filename=f"lighthouse-event-{event.id}.ics",
        content=build_calendar([event], now=now, name=event.title),
        mime_type=MIME_TYPE,
    )


# --- answers to `event` commands ------------------------------------------------------------------


def add_form() -> Reply:
    return Reply(
        text="Fill in the form, or type it on one line:\n" + f"`{ONE_LINE_SYNTAX}`\n"
        "Only title and start are required; the start needs a time zone unless your profile has one.",
        form=event_form("event add", "New event"),
        private=True,
    )


def event_added(event: Event) -> Reply:
    # An announcement: shown in the event's own zone, so it reads the same for everyone in the channel.
    section = event_section(event, event.timezone)
    section.text = event.description or ""
    hints = [f"Everyone can RSVP with the buttons or `event rsvp {event.id} going`."]
    if not event.themes:
        hints.append(f"Add themes with `event edit {event.id} themes=obesity,equity`.")
    section.context = " ".join(hints)
    return Reply(text=f"New event #{event.id}: {event.title}", sections=[section], tone="success")


def edit_form(event: Event, reader_zone: str | None) -> Reply:
    return Reply(
        text=f'Change only what you give, e.g. `event edit {event.id} start="{EXAMPLE_START}" duration=2h` '
        f"or `event edit {event.id} themes=obesity,equity`. Fields: title, start, end, duration, place, link, "
        "themes, description.",
        sections=[event_section(event, reader_zone, buttons=False)],
        form=event_form(f"event edit {event.id}", f"Edit event #{event.id}", event),
        private=True,
    )


def event_edited(edit: EventEdit, reader_zone: str | None) -> Reply:
    event, changed, notified = edit.event, edit.changed, edit.notified
    if not changed:
        return Reply(text=f"Nothing changed: event #{event.id} already has those values.", private=True)
    note = (
        f" Told {people(notified.told)} who had RSVPed about the new {and_list(edit.told_about)}."
        if notified.of
        else ""
    )
    return Reply(
        text=f"Event #{event.id} updated: {and_list(changed)}.{note}",
        sections=[event_section(event, reader_zone)],
        tone="success",
    )


def event_cancelled(event: Event, notified: Notified) -> Reply:
    return Reply(
        text=f"Cancelled event #{event.id} “{event.title}”. Told {notified.told} of {people(notified.of)} "
        "who had RSVPed; their reminders are off.",
        tone="success",
    )


def upcoming(events: list[Event], *, theme: str | None, reader_zone: str | None, is_coordinator: bool) -> Reply:
    about = f" on {THEMES[theme]}" if theme else ""
    if not events:
        hint = " Coordinators add one with `event add`." if is_coordinator else ""
        return Reply(text=f"No upcoming events{about}.{hint}", private=True)
    zone_note = zone_label(reader_zone) if reader_zone else "UTC (set yours with `profile set timezone ...`)"
    return Reply(
        text=f"Upcoming events{about}: {len(events)}. Times in {zone_note}.",
        sections=[event_section(event, reader_zone) for event in events],
        private=True,
    )


def event_details(details: EventDetails, reader_zone: str | None, *, is_coordinator: bool, now: datetime) -> Reply:
    sections = event_detail_sections(
        details.event,
        reader_zone,
        counts=details.counts,
        own_status=details.own_status,
        organiser=details.organiser,
        is_coordinator=is_coordinator,
        now=now,
    )
    return Reply(sections=sections, private=True)


def rsvp_noted(answer: RsvpAnswer, reader_zone: str | None) -> Reply:
    event, status = answer.event, answer.status
    if status == "not_going":
        return Reply(text=f"Noted: not going to “{event.title}”. No reminders.", private=True)
    when = format_when(event.starts_at, event.ends_at, event.timezone, reader_zone)
    reminders = " and ".join(offset_words(offset) for offset in answer.reminders_ahead)
    text = f"Noted: {RSVP_LABELS[status].lower()} — “{event.title}”, {when}."
    if reminders:
        text += f" I'll remind you {reminders} before."
    return Reply(
        text=text,
        buttons=[Button("Add to calendar", f"event ics {event.id}")],
        private=True,
        tone="success",
    )


def attendees(event: Event, people_who_answered: list[Attendee]) -> Reply:
    if not people_who_answered:
        return Reply(text=f"No RSVPs yet for #{event.id} “{event.title}”.", private=True)
    return Reply(sections=attendee_sections(event, people_who_answered), private=True)


def attendance(listing: AttendanceList) -> Reply:
    return Reply(sections=attendance_sections(listing), private=True)


def calendar_file(event: Event, *, now: datetime) -> Reply:
    action = (
        "Open it to mark the event as cancelled in your calendar"
        if event.status == "cancelled"
        else "Open it to add the event to your calendar"
    )
    return Reply(
        text=f"Calendar file for #{event.id} “{event.title}”. {action}.",
        attachments=[event_attachment(event, now=now)],
        private=True,
    )


# --- what the events service refused --------------------------------------------------------------

_MISSING_FIELD_HINTS = {
    "title": 'Add title="Obesity in schools".',
    "start": 'Add start="2026-12-03 14:00 Europe/Copenhagen".',
}
_CANCELLED = {
    OPENING_EDIT_FORM: ("was cancelled, so it can no longer be edited.", None),
    EDITING: ("was cancelled, so it can no longer be edited.", "Add a new event instead."),
    ANSWERING: ("was cancelled.", None),
    RECORDING_ATTENDANCE: ("was cancelled, so nobody attended it.", None),
}
_OVER = {
    EDITING: "is over; past events are kept as they were.",
    CANCELLING: "is over; there is nothing to cancel.",
    ANSWERING: "is already over.",
}


def refusal(error: EventRefused) -> tuple[str, str | None]:
    """The message and hint for what the events service refused."""
    match error:
        case NoSuchEvent(event_id=event_id):
            return f"There is no event #{event_id}.", "`event list` shows upcoming events."
        case MissingField(field=field):
            return f"An event needs a {field}.", _MISSING_FIELD_HINTS[field]
        case EventCancelled(event_id=event_id, doing=doing):
            said, hint = _CANCELLED[doing]
            return f"Event #{event_id} {said}", hint
        case EventOver(event_id=event_id, doing=doing):
            return f"Event #{event_id} {_OVER[doing]}", None
        case AlreadyCancelled(event_id=event_id):
            return f"Event #{event_id} is already cancelled.", None
        case NotStartedYet(event_id=event_id):
            return (
                f"Event #{event_id} has not started yet; attendance is recorded from its start.",
                f"Until then, `event rsvp {event_id} going` says you plan to come.",
            )
        case TooManyNamed(limit=limit):
            return f"Name at most {limit} members at a time.", None
    raise AssertionError(f"no wording for {error!r}")


REFUSALS: dict[type[WordedError], RefusalWording] = {EventRefused: refusal}


def _worded_event(done: str):  # noqa: ANN202 - an AuditWording
    def worded(details: dict[str, Any], _subject: str) -> str | None:
        if "event_id" not in details:
            return None
        changed = details.get("changed")
        return f"{done} event #{details['event_id']}" + (f" ({', '.join(changed)})" if changed else "")

    return worded


AUDIT_WORDING: dict[str, AuditWording] = {
    EventAudit.ADD: _worded_event("added"),
    EventAudit.EDIT: _worded_event("edited"),
    EventAudit.CANCEL: _worded_event("cancelled"),
}
