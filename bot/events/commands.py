"""`event`: list, show, RSVP and calendar files for everyone; coordinators add, edit and cancel events.

Also the reminder job: the scheduler runs it, the service decides and sends, the views word it."""

from __future__ import annotations

from bot.commands import Subcommand
from bot.context import CommandContext
from bot.events import attendance, service, views
from bot.events.errors import TooManyNamed
from bot.events.input import ONE_LINE_SYNTAX, parse_event_id, parse_rsvp, read_fields
from bot.events.notices import NOTICES
from bot.events.reminders import REMINDER_JOB
from bot.events.views import and_list
from bot.feature import Feature
from bot.references import AmbiguousMember, members_named
from bot.reply import Reply
from bot.runtime import Runtime
from config.errors import UserError
from config.vocabulary import THEMES, parse_theme, role_rank
from storage.models import Job

FEATURE = Feature("events", audit_wording=views.AUDIT_WORDING, refusals=views.REFUSALS)


def _is_coordinator(ctx: CommandContext) -> bool:
    return role_rank(ctx.role) >= role_rank("coordinator")


async def _add(ctx: CommandContext, words: list[str]) -> Reply:
    if not words:
        return views.add_form()
    fields = read_fields(words, default_zone=ctx.member.timezone, now=ctx.now())
    event = await service.create_event(ctx.core, fields, organiser=ctx.member)
    ctx.audited = True  # create_event wrote an entry with the new event's id
    return views.event_added(event)


async def _edit(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    if len(words) == 1:
        return views.edit_form(await service.event_to_edit(ctx.core, event_id), ctx.member.timezone)
    current = await service.get_event(ctx.core, event_id)  # its zone is the default for typed times
    fields = read_fields(words[1:], default_zone=current.timezone, now=ctx.now())
    edit = await service.edit_event(ctx.core, event_id, fields, editor=ctx.member, notices=NOTICES)
    ctx.audited = True  # edit_event wrote an entry naming the changed fields (or had nothing to record)
    return views.event_edited(edit, ctx.member.timezone)


async def _cancel(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    event, notified = await service.cancel_event(ctx.core, event_id, by=ctx.member, notices=NOTICES)
    ctx.audited = True  # cancel_event wrote its own entry
    return views.event_cancelled(event, notified)


async def _list(ctx: CommandContext, words: list[str]) -> Reply:
    theme = None
    if words:
        theme = parse_theme(" ".join(words))
        if theme is None:
            raise UserError(
                f"“{' '.join(words)[:40]}” is not one of our themes.", hint="Themes: " + ", ".join(THEMES) + "."
            )
    events = await service.list_upcoming(ctx.core, theme=theme)
    return views.upcoming(events, theme=theme, reader_zone=ctx.member.timezone, is_coordinator=_is_coordinator(ctx))


async def _show(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    details = await service.event_details(ctx.core, event_id, member_id=ctx.member.id)
    return views.event_details(details, ctx.member.timezone, is_coordinator=_is_coordinator(ctx), now=ctx.now())


async def _rsvp(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    if len(words) < 2:
        raise UserError("Going, interested or not going?", hint=f"For example: `event rsvp {event_id} going`.")
    status = parse_rsvp(" ".join(words[1:]))
    return views.rsvp_noted(await service.set_rsvp(ctx.core, event_id, ctx.member, status), ctx.member.timezone)


async def _attendees(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    event, attendees = await service.event_attendees(ctx.core, event_id)
    return views.attendees(event, attendees)


async def _attended(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    result = await attendance.record_own_attendance(ctx.core, event_id, ctx.member)
    return views.attendance_recorded(result, own=True)


CONFIRM_WORDS = ("confirm", "going")


async def _attendance(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    named = words[1:]
    if not named:
        return views.attendance(await attendance.attendance_list(ctx.core, event_id))
    if len(named) == 1 and named[0].lower() in CONFIRM_WORDS:
        return views.attendance_recorded(await attendance.record_going_as_attended(ctx.core, event_id, by=ctx.member))
    if len(named) > attendance.MAX_NAMED_ATTENDEES:
        raise TooManyNamed(attendance.MAX_NAMED_ATTENDEES)
    member_ids = await _named_member_ids(ctx, named)
    return views.attendance_recorded(
        await attendance.record_named_attendees(ctx.core, event_id, member_ids, by=ctx.member)
    )


async def _named_member_ids(ctx: CommandContext, named: list[str]) -> list[int]:
    member_ids, unknown = [], []
    for token in named:
        found = await members_named(ctx.core, ctx.message, token)
        if len(found) > 1:
            raise AmbiguousMember(token, found)  # nothing is recorded until every name is clear
        if found:
            member_ids.append(found[0].id)
        else:
            unknown.append(token.removeprefix("@")[:40])
    if unknown:
        raise UserError(
            f"I don't know {and_list([f'“{name}”' for name in unknown])}, so nothing was recorded.",
            hint="Name members by @mention, display name or `member:<id>`; they need to have used the bot once.",
        )
    return member_ids


async def _ics(ctx: CommandContext, words: list[str]) -> Reply:
    event_id = parse_event_id(words[0] if words else None)
    return views.calendar_file(await service.get_event(ctx.core, event_id), now=ctx.now())


EVENT_ID = "ID"


@FEATURE.job(REMINDER_JOB, rerun_safe=True)  # nothing is sent before begin_send
async def send_reminder(core: Runtime, job: Job) -> None:
    await service.send_reminder(core, job, notices=NOTICES)


FEATURE.command_with_subcommands(
    "event",
    summary="Upcoming events: list, details, RSVP, calendar files, attendance; coordinators add, edit and cancel",
    usage="event list [theme] | event show ID | event rsvp ID going|interested|not_going | event ics ID "
    "| event attended ID",
    help=(
        "Everyone: `event list [theme]`, `event show ID`, `event rsvp ID going|interested|not_going` "
        "(or the buttons), `event ics ID` for a calendar file, and `event attended ID` once the event has "
        "started, to say you were there. Times are shown in your time zone "
        "(`profile set timezone ...`) with the event's own zone.\n"
        "Coordinators: `event add` (a form, or `field=value` pairs on one line), `event edit ID field=value ...` "
        "(only what you give changes), `event cancel ID` (tells everyone who RSVPed), `event attendees ID`, "
        "and after the start `event attendance ID` (who attended), `event attendance ID confirm` (everyone who "
        "RSVPed going attended) or `event attendance ID @ana @ben` (the members you name attended). Each "
        "attendance is recorded once and counts in `kpi` and the report.\n"
        "Fields: title, start (`YYYY-MM-DD HH:MM Zone`, or `tomorrow 14:00`, `friday 2pm`, `20 Dec 9:30`), end or duration (90m, 2h), place, link, themes "
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
        "event attended 12",
        "event attendance 12 confirm",
        "event attendance 12 @ana @ben",
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
        Subcommand("attended", _attended, "Say you were at the event (once it has started)", EVENT_ID),
        Subcommand("attendance", _attendance,
                   "Who attended; record everyone who RSVPed going (confirm) or the members you name",
                   f"{EVENT_ID} [confirm | @member ...]", role="coordinator"),
    ),
    default="list",
)
