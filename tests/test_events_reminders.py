"""Reminders to RSVPs before an event: each (event, member, offset) once, whatever happens in between."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.app.core import Lighthouse
from bot.scheduler import CLAIM_TIMEOUT
from storage.models import Job
from tests.events_support import add_event, jobs, make_member, member_id
from tests.support import Chat, RecordingTransport

START = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # the test event: 14:00 Europe/Copenhagen


@pytest.fixture
async def event_id(chat: Chat, core):
    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")
    await make_member(core, "nina", timezone="America/New_York")
    await make_member(core, "tom")
    return await add_event(chat)


def reminders(transport: RecordingTransport, who: str) -> list[str]:
    return [reply.text for reply in transport.to(who) if reply.text.startswith("Reminder")]


async def test_each_reminder_is_sent_once(chat: Chat, core, clock, transport, event_id):
    await chat.say(f"event rsvp {event_id} going", as_user="nina")
    await chat.say(f"event rsvp {event_id} going", as_user="nina")  # a double click schedules nothing twice
    await chat.say(f"event rsvp {event_id} interested", as_user="tom")
    assert len(await jobs(core, f"event:{event_id}:reminder:")) == 4

    clock.set(START - timedelta(hours=24, minutes=1))
    assert await core.scheduler.run_due() == 0
    clock.set(START - timedelta(hours=24))
    assert await core.scheduler.run_due() == 2
    assert await core.scheduler.run_due() == 0
    assert reminders(transport, "nina") == ["Reminder: “Obesity in schools” starts in 24 hours."]
    assert "08:00–09:30 America/New_York" in transport.to("nina")[0].plain_text()
    assert reminders(transport, "tom") == ["Reminder: “Obesity in schools” starts in 24 hours."]

    clock.set(START - timedelta(minutes=55))  # a little late, within the grace window
    assert await core.scheduler.run_due() == 2
    clock.set(START + timedelta(days=1))
    await core.scheduler.run_due()
    assert reminders(transport, "nina") == [
        "Reminder: “Obesity in schools” starts in 24 hours.",
        "Reminder: “Obesity in schools” starts in 55 minutes.",
    ]
    assert len(transport.sent) == 4
    assert {job.status for job in await jobs(core, "event:")} == {"done"}


async def test_a_restart_neither_loses_nor_repeats_reminders(chat: Chat, core, settings, clock, transport, event_id):
    await chat.say(f"event rsvp {event_id} going", as_user="nina")
    clock.set(START - timedelta(hours=24))
    await core.scheduler.run_due()
    await core.close()  # the process stops

    restarted = Lighthouse(settings, clock=clock)
    await restarted.start()
    again = RecordingTransport()
    restarted.register_transport(again)
    try:
        assert await restarted.scheduler.run_due() == 0
        clock.set(START - timedelta(hours=1))
        assert await restarted.scheduler.run_due() == 1
        assert await restarted.scheduler.run_due() == 0
    finally:
        await restarted.close()
    assert reminders(transport, "nina") == ["Reminder: “Obesity in schools” starts in 24 hours."]
    assert reminders(again, "nina") == ["Reminder: “Obesity in schools” starts in 1 hour."]


async def test_two_processes_send_each_reminder_once(chat: Chat, core, settings, clock, transport, event_id):
    for name in ("nina", "tom", "carol"):
        await chat.say(f"event rsvp {event_id} going", as_user=name)
    other = Lighthouse(settings, clock=clock)
    other_transport = RecordingTransport()
    other.register_transport(other_transport)
    try:
        clock.set(START - timedelta(hours=24))
        counts = await asyncio.gather(core.scheduler.run_due(), other.scheduler.run_due())
        assert sum(counts) == 3
    finally:
        await other.close()
    sent = [s.target for s in transport.sent + other_transport.sent]
    assert sorted(sent) == ["carol", "nina", "tom"]


async def test_not_going_stops_reminders_and_going_again_restores_them(chat: Chat, core, clock, transport, event_id):
    await chat.say(f"event rsvp {event_id} going", as_user="nina")
    await chat.say(f"event rsvp {event_id} not going", as_user="nina")
    assert {job.status for job in await jobs(core, "event:")} == {"cancelled"}
    await chat.say(f"event rsvp {event_id} going", as_user="nina")
    assert {job.status for job in await jobs(core, "event:")} == {"pending"}
    clock.set(START - timedelta(hours=1))
    await core.scheduler.run_due()
    # The 24 h reminder is 23 h late, beyond the grace window: skipped, never sent late.
    assert reminders(transport, "nina") == ["Reminder: “Obesity in schools” starts in 1 hour."]
    assert sorted(job.status for job in await jobs(core, "event:")) == ["done", "skipped"]


async def test_moving_an_event_moves_its_reminders(chat: Chat, core, clock, transport, event_id):
    await chat.say(f"event rsvp {event_id} going", as_user="nina")
    clock.set(START - timedelta(hours=24))
    await core.scheduler.run_due()
    await chat.say(f'event edit {event_id} start="2026-12-10 14:00"', as_user="carol")
    clock.set(START - timedelta(hours=1))  # the old 1 h slot: nothing
    await core.scheduler.run_due()
    new_start = START + timedelta(days=7)
    for hours in (24, 1):
        clock.set(new_start - timedelta(hours=hours))
        await core.scheduler.run_due()
    assert reminders(transport, "nina") == [
        "Reminder: “Obesity in schools” starts in 24 hours.",
        "Reminder: “Obesity in schools” starts in 24 hours.",
        "Reminder: “Obesity in schools” starts in 1 hour.",
    ]


async def test_a_cancelled_event_sends_no_reminders(chat: Chat, core, clock, transport, event_id):
    await chat.say(f"event rsvp {event_id} going", as_user="nina")
    await chat.say(f"event cancel {event_id}", as_user="carol")
    clock.set(START - timedelta(hours=1))
    await core.scheduler.run_due()
    assert reminders(transport, "nina") == []


class FailsAfterSending(RecordingTransport):
    """Delivers, then fails: a crash between sending and recording, as seen from the bot."""

    async def send_direct(self, user_id, reply):
        await super().send_direct(user_id, reply)
        raise ConnectionError("connection reset after the message was delivered")


async def test_an_error_after_sending_never_sends_again(chat: Chat, core, settings, clock, event_id):
    await chat.say(f"event rsvp {event_id} going", as_user="nina")
    flaky = FailsAfterSending()
    core.register_transport(flaky)
    clock.set(START - timedelta(hours=24))
    await core.scheduler.run_due()
    (first, _) = await jobs(core, "event:")
    assert first.status == "uncertain" and "after sending began" in first.last_error
    # Later passes, and a restarted process, leave it alone.
    clock.advance(CLAIM_TIMEOUT * 2)
    await core.scheduler.run_due()
    restarted = Lighthouse(settings, clock=clock)
    restarted.register_transport(flaky)
    try:
        await restarted.start()
        await restarted.scheduler.run_due()
    finally:
        await restarted.close()
    assert reminders(flaky, "nina") == ["Reminder: “Obesity in schools” starts in 24 hours."]


async def test_a_process_that_died_before_sending_is_replaced_and_one_that_died_while_sending_is_not(
    chat: Chat, core, clock, transport, event_id
):
    await chat.say(f"event rsvp {event_id} going", as_user="nina")
    await chat.say(f"event rsvp {event_id} going", as_user="tom")
    clock.set(START - timedelta(hours=24))
    # Two processes claimed a reminder each and died: one before it began sending, one while sending.
    ids = {name: await member_id(core, name) for name in ("nina", "tom")}
    async with core.db.session() as session, session.begin():
        for name, status in (("nina", "claimed"), ("tom", "sending")):
            await session.execute(
                update(Job)
                .where(Job.key.startswith(f"event:{event_id}:reminder:{ids[name]}:24h:"))
                .values(status=status, claimed_by="gone:1", claimed_at=clock.now(), attempts=1)
            )
    assert await core.scheduler.run_due() == 0  # claims still fresh: could be a slow process
    clock.advance(CLAIM_TIMEOUT + timedelta(minutes=1))
    assert await core.scheduler.run_due() == 1
    assert [s.target for s in transport.sent] == ["nina"]
    day_before = {job.key.split(":")[3]: job.status for job in await jobs(core, "event:") if ":24h:" in job.key}
    assert day_before == {str(ids["nina"]): "done", str(ids["tom"]): "uncertain"}


async def test_a_double_click_handled_by_two_processes_is_one_answer(
    chat: Chat, core, settings, clock, transport, event_id
):
    other = Lighthouse(settings, clock=clock)
    other.register_transport(transport)
    try:
        replies = await asyncio.gather(
            chat.say(f"event rsvp {event_id} going", as_user="nina"),
            Chat(other).say(f"event rsvp {event_id} going", as_user="nina"),
        )
    finally:
        await other.close()
    assert [reply.tone for reply in replies] == ["success", "success"]
    assert len(await jobs(core, f"event:{event_id}:reminder:")) == 2
    clock.set(START - timedelta(hours=24))
    await core.scheduler.run_due()
    assert len(reminders(transport, "nina")) == 1


def test_a_reminder_offset_longer_than_any_lead_time_is_left_out(settings):
    from bot.events.reminders import reminder_offsets

    # 1e12 hours is beyond what a date can be moved by; no event starts far enough ahead for it anyway.
    configured = settings.model_copy(update={"reminder_offsets_hours": [1e12, 24.0, 1.0]})
    assert reminder_offsets(configured) == [timedelta(hours=24), timedelta(hours=1)]
