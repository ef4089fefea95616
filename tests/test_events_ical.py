"""iCalendar: `event ics` and `main.py export-ics` produce files that parse back with the right times."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from bot.events.ical import upcoming_feed
from storage.models import Event
from tests.events_support import add_event, make_member
from tests.support import Chat

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def coordinator(core):
    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")


def events_in(data: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    items = list(calendar.walk("VEVENT"))
    assert all("UID" in item and "DTSTAMP" in item and "DTSTART" in item for item in items)  # RFC 5545 musts
    return items


async def ics_for(chat: Chat, event_id: int, as_user: str = "tom") -> bytes:
    reply = await chat.say(f"event ics {event_id}", as_user=as_user)
    (attachment,) = reply.attachments
    assert attachment.mime_type == "text/calendar" and attachment.filename.endswith(".ics")
    return attachment.content


async def test_ics_has_the_right_utc_times_across_a_daylight_saving_change(chat: Chat, core, clock, coordinator):
    clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    # Europe/Copenhagen leaves summer time on Sunday 25 October 2026.
    before = await add_event(chat, 'event add title=Before start="2026-10-24 14:00 Europe/Copenhagen" duration=90m')
    after = await add_event(chat, 'event add title=After start="2026-10-26 14:00 Europe/Copenhagen" duration=90m')
    expected = {
        before: (datetime(2026, 10, 24, 12, 0, tzinfo=UTC), datetime(2026, 10, 24, 13, 30, tzinfo=UTC)),
        after: (datetime(2026, 10, 26, 13, 0, tzinfo=UTC), datetime(2026, 10, 26, 14, 30, tzinfo=UTC)),
    }
    for event_id, (start, end) in expected.items():
        data = await ics_for(chat, event_id)
        (item,) = events_in(data)
        assert item.decoded("dtstart").astimezone(UTC) == start
        assert item.decoded("dtend").astimezone(UTC) == end
        assert item["dtstart"].params["TZID"] == "Europe/Copenhagen"
        # The embedded VTIMEZONE (what calendar apps use) gives the same instants.
        (vtimezone,) = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
        zone = vtimezone.to_tz()
        local = item.decoded("dtstart").replace(tzinfo=None)
        assert local.replace(tzinfo=zone).astimezone(UTC) == start


async def test_uid_is_stable_sequence_bumps_and_cancelled_events_say_so(chat: Chat, core, coordinator):
    event_id = await add_event(chat)
    (first,) = events_in(await ics_for(chat, event_id))
    assert first["STATUS"] == "CONFIRMED" and first.decoded("sequence") == 0
    assert str(first["SUMMARY"]) == "Obesity in schools" and str(first["LOCATION"]) == "Online"
    assert [str(c) for c in first["CATEGORIES"].cats] == ["Obesity", "Health equity"]

    await chat.say(f'event edit {event_id} title="Obesity in schools, revisited"', as_user="carol")
    (edited,) = events_in(await ics_for(chat, event_id))
    assert edited["UID"] == first["UID"] and edited.decoded("sequence") == 1
    assert str(edited["SUMMARY"]) == "Obesity in schools, revisited"

    await chat.say(f"event cancel {event_id}", as_user="carol")
    (cancelled,) = events_in(await ics_for(chat, event_id))
    assert cancelled["UID"] == first["UID"] and cancelled.decoded("sequence") == 2
    assert cancelled["STATUS"] == "CANCELLED"


async def test_the_feed_lists_upcoming_events_with_cancelled_ones_marked(chat: Chat, core, clock, coordinator):
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    await add_event(chat, 'event add title=Soon start="2026-11-03 10:00 UTC"')
    await add_event(chat, 'event add title=Later start="2026-12-01 10:00 America/New_York" link=https://example.org/x')
    dropped = await add_event(chat, 'event add title=Dropped start="2026-11-20 10:00 UTC"')
    await chat.say(f"event cancel {dropped}", as_user="carol")
    clock.set(datetime(2026, 11, 4, 9, 0, tzinfo=UTC))  # "Soon" is over
    async with core.db.session() as session:
        data, count = await upcoming_feed(session, now=clock.now())
    items = {str(item["SUMMARY"]): item for item in events_in(data)}
    assert count == 2 and set(items) == {"Later", "Dropped"}
    assert items["Dropped"]["STATUS"] == "CANCELLED"
    assert items["Later"].decoded("dtstart").astimezone(UTC) == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert str(items["Later"]["URL"]) == "https://example.org/x"
    assert len({str(item["UID"]) for item in items.values()}) == 2
    assert b"DTSTART:20261120T100000Z" in data  # a UTC event needs no VTIMEZONE


async def test_the_feed_leaves_out_an_event_stored_beyond_the_calendar(chat: Chat, core, clock, coordinator):
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    await add_event(chat, 'event add title=Soon start="2026-11-03 10:00 Europe/Copenhagen"')
    async with core.db.session() as session, session.begin():  # written without the bot's checks
        for status in ("scheduled", "cancelled"):  # a cancelled event stays in the feed until it ends
            session.add(Event(
                title=f"Far future ({status})", starts_at=datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
                ends_at=datetime(9999, 12, 31, 23, 30, tzinfo=UTC), timezone="Europe/Copenhagen", themes=[],
                status=status,
            ))
    async with core.db.session() as session:
        data, count = await upcoming_feed(session, now=clock.now())
    assert count == 1 and [str(item["SUMMARY"]) for item in events_in(data)] == ["Soon"]


async def test_export_ics_command_writes_a_feed(chat: Chat, core, clock, settings, coordinator, tmp_path):
    # The command runs on the real clock, so the event is placed relative to it.
    clock.set(datetime.now(UTC))
    start = (datetime.now(UTC) + timedelta(days=30)).replace(second=0, microsecond=0)
    await add_event(chat, f'event add title="Feed test" start="{start:%Y-%m-%d %H:%M} UTC" duration=1h')
    out = tmp_path / "events.ics"
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": settings.database_url, "LIGHTHOUSE_INGEST_DEMO_ON_EMPTY": "false"}
    result = subprocess.run(
        [sys.executable, "main.py", "export-ics", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (item,) = events_in(out.read_bytes())
    assert str(item["SUMMARY"]) == "Feed test" and item.decoded("dtstart").astimezone(UTC) == start
    assert "Wrote 1 upcoming event" in result.stderr
