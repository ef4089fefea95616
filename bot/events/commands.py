"""`event`: list, show, RSVP and calendar files for everyone; coordinators add, edit and cancel events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.commands import Subcommand, command_with_subcommands
from bot.context import CommandContext
from bot.events.ical import event_attachment
from bot.events.input import EXAMPLE_START, ONE_LINE_SYNTAX, read_fields
from bot.events.service import (
    attendee_sections,
    attendees,
    cancel_event,
    cancellation_notice,
    create_event,
    edit_event,
    get_event,
    own_rsvp,
    parse_event_id,
    parse_rsvp,
    reminder_offsets,
    rsvp_counts,
    rsvped_members,
    set_rsvp,
    upcoming_events,
)
from bot.events.views import RSVP_LABELS, event_detail_sections, event_section, format_when, where_text
from bot.reply import Button, Field, Form, FormField, Reply, Section
from config.errors import UserError
from config.vocabulary import THEMES, parse_theme, role_rank
from storage.models import Event, Member

log = logging.getLogger(__name__)

def event_form(command_text: str, title: str, current: Event | None = None) -> Form:
    """Five fields, the most a Discord modal holds; themes are set with `event edit ID themes=...`."""

    def placeholder_for(value: str | None, example: str) -> str:
        return (f"now: {value}" if value else example)[:100]  # Discord placeholders hold 100

    start_now = (
        f"{current.starts_at.astimezone(ZoneInfo(current.timezone)):%Y-%m-%d %H:%M} {current.timezone}"
        if current
        else None
    )
    return Form(
        title=title,
        command=command_text,
        fields=[
            FormField(
                "title",
                "Title",
                placeholder=placeholder_for(current and current.title, "Obesity in schools: what worked"),
                required=current is None,
            ),
            FormField(
                "start",
                "Start: date, time and time zone",
                placeholder=placeholder_for(start_now, EXAMPLE_START),
                required=current is None,
                max_length=60,
            ),
            FormField("duration", "Duration", placeholder="90m, 2h", required=False, max_length=20),
            FormField(
                "where",
                "Place or link",
                placeholder=placeholder_for(
                    current and (current.place or current.link), "Online, a street address, or https://..."
                ),
                required=False,
                max_length=500,
            ),
            FormField(
                "description",
                "Description",
                placeholder="What it is about and who should come",
                multiline=True,
                required=False,
                max_length=2000,
            ),
        ],
        submit_label="Save",
    )


async def _tell(ctx: CommandContext, members: list[Member], make: Callable[[Member], Reply]) -> int:
    told = 0
    for member in members:
        try:
            told += bool(await ctx.core.notify(member, make(member)))
        except Exception:  # one unreachable member must not stop the others
            log.exception("could not notify member %s about an event change", member.id)
    return told


async def _add(ctx: CommandContext, words: list[str]) -> Reply:
    if not words:
        return Reply(
            text="Fill in the form, or type it on one line:\n" + f"`{ONE_LINE_SYNTAX}`\n"
            "Only title and start are required; the start needs a time zone unless your profile has one.",
            form=event_form("event add", "New event"),
            private=True,
        )
    fields = read_fields(words, default_zone=ctx.member.timezone)
    async with ctx.db.session() as session, session.begin():
        event = await create_event(session, fields, organiser=ctx.member, now=ctx.now())
    ctx.audited = True  # create_event wrote an entry with the new event's id
    # An announcement: shown in the event's own zone, so it reads the same for everyone in the channel.
    section = event_section(event, event.timezone)
    section.text = event.description or ""
    hints = [f"Everyone can RSVP with the buttons or `event rsvp {event.id} going`."]
    if not event.themes:
        hints.append(f"Add themes with `event edit {event.id} themes=obesity,equity`.")
    section.context = " ".join(hints)
    return Reply(text=f"New event #{event.id}: {event.title}", sections=[section], tone="success")


async def _edit(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    if len(words) == 1:
        async with ctx.db.session() as session:
            event = await get_event(session, event_id)
        if event.status == "cancelled":
            raise UserError(f"Event #{event.id} was cancelled, so it can no longer be edited.")
        return Reply(
            text=f'Change only what you give, e.g. `event edit {event.id} start="{EXAMPLE_START}" duration=2h` '
            f"or `event edit {event.id} themes=obesity,equity`. Fields: title, start, end, duration, place, link, "
            "themes, description.",
            sections=[event_section(event, ctx.member.timezone, buttons=False)],
            form=event_form(f"event edit {event.id}", f"Edit event #{event.id}", event),
            private=True,
        )
    async with ctx.db.session() as session, session.begin():
        current = await get_event(session, event_id)
        fields = read_fields(words[1:], default_zone=current.timezone)
        event, changed = await edit_event(
            session, event_id, fields, editor=ctx.member, settings=ctx.settings, now=ctx.now()
        )
        told_about = [name for name in changed if name in TOLD_TO_RSVPS]
        to_tell = await rsvped_members(session, event.id) if told_about else []
    ctx.audited = True  # edit_event wrote an entry naming the changed fields (or had nothing to record)
    if not changed:
        return Reply(text=f"Nothing changed: event #{event.id} already has those values.", private=True)
    told = await _tell(ctx, to_tell, lambda member: _changed_notice(event, member, changed)) if to_tell else 0
    note = f" Told {_people(told)} who had RSVPed about the new {_and(told_about)}." if to_tell else ""
    return Reply(
        text=f"Event #{event.id} updated: {_and(changed)}.{note}",
        sections=[event_section(event, ctx.member.timezone)],
        tone="success",
    )


# What someone who said they'd come needs to hear about; a new description or themes can wait for `event show`.
TOLD_TO_RSVPS = ("time", "place", "link", "title")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _changed_notice(event: Event, member: Member, changed: list[str]) -> Reply:
    """To one member who RSVPed: every field that changed, with the new values of those that matter."""
    fields = []
    if "title" in changed:
        fields.append(Field("Title", event.title))
    if "time" in changed:
        fields.append(Field("When", format_when(event.starts_at, event.ends_at, event.timezone, member.timezone)))
    if "place" in changed or "link" in changed:
        fields.append(Field("Where", where_text(event)))
    context = "Your reminders follow the new time." if "time" in changed else None
    return Reply(
        text=f"“{event.title}” (event #{event.id}) has changed: new {_and(changed)}.",
        sections=[
            Section(
                fields=fields,
                context=context,
                buttons=[
                    Button("Update my calendar", f"event ics {event.id}"),
                    Button("Not going", f"event rsvp {event.id} not_going"),
                ],
            )
        ],
    )


async def _cancel(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    async with ctx.db.session() as session, session.begin():
        event, to_tell = await cancel_event(session, event_id, by=ctx.member, now=ctx.now())
    ctx.audited = True  # cancel_event wrote its own entry
    told = await _tell(ctx, to_tell, lambda member: cancellation_notice(event, member))
    return Reply(
        text=f"Cancelled event #{event.id} “{event.title}”. Told {told} of {_people(len(to_tell))} who had RSVPed; "
        "their reminders are off.",
        tone="success",
    )


async def _list(ctx: CommandContext, words: list[str]) -> Reply:
    theme = None
    if words:
        theme = parse_theme(" ".join(words))
        if theme is None:
            raise UserError(
                f"“{' '.join(words)[:40]}” is not one of our themes.", hint="Themes: " + ", ".join(THEMES) + "."
            )
    async with ctx.db.session() as session:
        events = await upcoming_events(session, now=ctx.now(), theme=theme)
    about = f" on {THEMES[theme]}" if theme else ""
    if not events:
        hint = " Coordinators add one with `event add`." if role_rank(ctx.role) >= role_rank("coordinator") else ""
        return Reply(text=f"No upcoming events{about}.{hint}", private=True)
    zone_note = ctx.member.timezone or "UTC (set yours with `profile set timezone ...`)"
    return Reply(
        text=f"Upcoming events{about}: {len(events)}. Times in {zone_note}.",
        sections=[event_section(event, ctx.member.timezone) for event in events],
        private=True,
    )


async def _show(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    async with ctx.db.session() as session:
        event = await get_event(session, event_id)
        counts = await rsvp_counts(session, event.id)
        own = await own_rsvp(session, event.id, ctx.member.id)
        organiser = await session.get(Member, event.organiser_id) if event.organiser_id else None
    sections = event_detail_sections(
        event,
        ctx.member.timezone,
        counts=counts,
        own_status=own,
        organiser=organiser.display_name if organiser else None,
        is_coordinator=role_rank(ctx.role) >= role_rank("coordinator"),
        now=ctx.now(),
    )
    return Reply(sections=sections, private=True)


async def _rsvp(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    if len(words) < 2:
        raise UserError("Going, interested or not going?", hint=f"For example: `event rsvp {event_id} going`.")
    status = parse_rsvp(" ".join(words[1:]))
    async with ctx.db.session() as session, session.begin():
        event, _ = await set_rsvp(session, event_id, ctx.member, status, settings=ctx.settings, now=ctx.now())
    when = format_when(event.starts_at, event.ends_at, event.timezone, ctx.member.timezone)
    if status == "not_going":
        return Reply(text=f"Noted: not going to “{event.title}”. No reminders.", private=True)
    ahead = [offset for offset in reminder_offsets(ctx.settings) if event.starts_at - offset > ctx.now()]
    reminders = " and ".join(_offset_words(offset) for offset in ahead)
    text = f"Noted: {RSVP_LABELS[status].lower()} — “{event.title}”, {when}."
    if reminders:
        text += f" I'll remind you {reminders} before."
    return Reply(
        text=text,
        buttons=[Button("Add to calendar", f"event ics {event.id}")],
        private=True,
        tone="success",
    )


def _people(count: int) -> str:
    return f"{count} person" if count == 1 else f"{count} people"


def _offset_words(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


async def _attendees(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    async with ctx.db.session() as session:
        event = await get_event(session, event_id)
        people = await attendees(session, event.id)
    if not people:
        return Reply(text=f"No RSVPs yet for #{event.id} “{event.title}”.", private=True)
    return Reply(sections=attendee_sections(event, people), private=True)


async def _ics(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    async with ctx.db.session() as session:
        event = await get_event(session, event_id)
    action = (
        "Open it to mark the event as cancelled in your calendar"
        if event.status == "cancelled"
        else "Open it to add the event to your calendar"
    )
    return Reply(
        text=f"Calendar file for #{event.id} “{event.title}”. {action}.",
        attachments=[event_attachment(event, now=ctx.now())],
        private=True,
    )


EVENT_ID = "ID"

command_with_subcommands(
    "event",
    summary="Upcoming events: list, details, RSVP, calendar files; coordinators add, edit and cancel",
    usage="event list [theme] | event show ID | event rsvp ID going|interested|not_going | event ics ID",
    help=(
        "Everyone: `event list [theme]`, `event show ID`, `event rsvp ID going|interested|not_going` "
        "(or the buttons), `event ics ID` for a calendar file. Times are shown in your time zone "
        "(`profile set timezone ...`) with the event's own zone.\n"
        "Coordinators: `event add` (a form, or `field=value` pairs on one line), `event edit ID field=value ...` "
        "(only what you give changes), `event cancel ID` (tells everyone who RSVPed), `event attendees ID`.\n"
        "Fields: title, start (`YYYY-MM-DD HH:MM Zone`), end or duration (90m, 2h), place, link, themes "
        f"({', '.join(THEMES)}), description. People who RSVP get reminders before the event."
    ),
    examples=(
        "event list",
        "event list obesity",
        "event show 12",
        "event rsvp 12 going",
        "event ics 12",
        ONE_LINE_SYNTAX,
        'event edit 12 start="2026-12-03 15:00 Europe/Copenhagen" duration=2h',
        "event cancel 12",
        "event attendees 12",
    ),
    aliases=("events",),
    subcommands=(
        Subcommand("list", _list, "Upcoming events, on one theme if you name it", "[theme]"),
        Subcommand("show", _show, "One event's details, RSVPs and your answer", EVENT_ID),
        Subcommand("rsvp", _rsvp, "Say whether you are coming", f"{EVENT_ID} going|interested|not_going"),
        Subcommand("ics", _ics, "A calendar file for the event", EVENT_ID),
        Subcommand("add", _add, "Add an event (a form, or field=value pairs)", "[field=value ...]",
                   role="coordinator"),
        Subcommand("edit", _edit, "Change an event's fields", f"{EVENT_ID} field=value ...", role="coordinator"),
        Subcommand("cancel", _cancel, "Cancel an event and tell who RSVPed", EVENT_ID, role="coordinator"),
        Subcommand("attendees", _attendees, "Who RSVPed, and how", EVENT_ID, role="coordinator"),
    ),
    default="list",
)
