"""The event form: what `event add` and `event edit ID` show on platforms with forms."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.events.fields import EXAMPLE_START
from bot.reply import Form, FormField
from storage.models import Event


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
