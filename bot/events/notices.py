"""The messages events send to members on their own: reminders, change and cancellation notices (the
service's `EventNotices`)."""

from __future__ import annotations

from bot.events.service import EventEdit, EventNotices, Reminder
from bot.events.views import and_list, format_when, starts_in, where_text
from bot.reply import Button, Field, Reply, Section
from storage.models import Event, Member


class EventNoticeWording:
    """Words each message the events service sends; `NOTICES` is the one the commands pass in."""

    def reminder(self, reminder: Reminder, member: Member) -> Reply:
        event = reminder.event
        return Reply(
            text=f"Reminder: “{event.title}” starts {starts_in(event.starts_at, reminder.now)}.",
            sections=[
                Section(
                    fields=[
                        Field("When", format_when(event.starts_at, event.ends_at, event.timezone, member.timezone)),
                        Field("Where", where_text(event)),
                    ],
                    buttons=[
                        Button("Details", f"event show {event.id}"),
                        Button("Add to calendar", f"event ics {event.id}"),
                        Button("Not going after all", f"event rsvp {event.id} not_going"),
                    ],
                )
            ],
        )

    def changed_notice(self, edit: EventEdit, member: Member) -> Reply:
        """To one member who RSVPed: every field that changed, with the new values of those that matter."""
        event, changed = edit.event, edit.changed
        fields = []
        if "title" in changed:
            fields.append(Field("Title", event.title))
        if "time" in changed:
            fields.append(Field("When", format_when(event.starts_at, event.ends_at, event.timezone, member.timezone)))
        if "place" in changed or "link" in changed:
            fields.append(Field("Where", where_text(event)))
        context = "Your reminders follow the new time." if "time" in changed else None
        return Reply(
            text=f"“{event.title}” (event #{event.id}) has changed: new {and_list(changed)}.",
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

    def cancellation_notice(self, event: Event, member: Member) -> Reply:
        when = format_when(event.starts_at, event.ends_at, event.timezone, member.timezone)
        return Reply(
            text=f"“{event.title}” (event #{event.id}) has been cancelled.",
            sections=[
                Section(
                    fields=[Field("Was planned for", when)],
                    context="You get this because you had RSVPed. No reminders will follow.",
                    buttons=[Button("Update my calendar", f"event ics {event.id}")],
                )
            ],
            tone="warning",
        )


NOTICES: EventNotices = EventNoticeWording()
