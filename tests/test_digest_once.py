"""A channel's digest for a period is posted once: across restarts, crashes, platform errors and two processes."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import bot.digests.service
from bot.app.core import Lighthouse
from bot.digests.commands import post_digest
from bot.scheduler import CLAIM_TIMEOUT, RETRY_DELAY
from storage.models import DigestRun
from tests.events_support import add_event, jobs, make_member
from tests.support import Chat, RecordingTransport

FIRST_SLOT = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)  # Monday 09:00 Europe/Copenhagen
SECOND_SLOT = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


@pytest.fixture
async def scheduled(chat: Chat, core, transport):
    """A weekly digest for the console channel, and events for it to announce."""
    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")
    await add_event(chat, 'event add title="Mental health café" start="2026-11-12 16:00 Europe/Copenhagen"')
    await add_event(chat, 'event add title="Equity in rural care" start="2026-11-25 10:00 Europe/Copenhagen"')
    reply = await chat.say("digest schedule weekly monday 09:00", as_user="carol")
    assert reply.tone == "success"


def digests(*transports: RecordingTransport) -> list[str]:
    return [s.reply.text for t in transports for s in t.sent if s.kind == "channel"]


async def runs(core) -> dict[str, str]:
    async with core.db.session() as session:
        rows = (await session.execute(select(DigestRun).order_by(DigestRun.id))).scalars()
        return {row.period_key: row.status for row in rows}


async def restart(settings, clock) -> tuple[Lighthouse, RecordingTransport]:
    core = Lighthouse(settings, clock=clock)
    recording = RecordingTransport()
    core.register_transport(recording)
    await core.start()
    return core, recording


async def test_one_digest_per_period_across_a_restart(core, settings, clock, transport, scheduled):
    clock.set(FIRST_SLOT - timedelta(minutes=1))
    assert await core.scheduler.run_due() == 0
    clock.set(FIRST_SLOT)
    assert await core.scheduler.run_due() == 1
    assert await core.scheduler.run_due() == 0
    assert digests(transport) == ["Lighthouse digest · Monday 9 November 2026"]
    await core.close()

    again, recording = await restart(settings, clock)
    try:
        clock.advance(timedelta(hours=1))
        assert await again.scheduler.run_due() == 0
        clock.set(SECOND_SLOT)
        assert await again.scheduler.run_due() == 1
        assert await again.scheduler.run_due() == 0
        assert digests(recording) == ["Lighthouse digest · Monday 16 November 2026"]
        assert await runs(again) == {"week:2026-W46": "posted", "week:2026-W47": "posted"}
        # The chain goes on: the next period is scheduled.
        pending = [job.key for job in await jobs(again, "digest:") if job.status == "pending"]
        assert pending == ["digest:console:console:week:2026-W48"]
    finally:
        await again.close()
    assert len(digests(transport)) == 1


async def test_two_processes_racing_post_once(core, settings, clock, transport, scheduled):
    other = Lighthouse(settings, clock=clock)
    other_transport = RecordingTransport()
    other.register_transport(other_transport)
    try:
        clock.set(FIRST_SLOT)
        await asyncio.gather(core.scheduler.run_due(), other.scheduler.run_due())
        assert len(digests(transport, other_transport)) == 1
        # The database guard on its own, without the job claim in front of it: still once.
        outcomes = await asyncio.gather(
            *(
                post_digest(process, platform="console", channel_id="console", key="week:2026-W46b", spec=None)
                for process in (core, other, core, other)
            )
        )
    finally:
        await other.close()
    assert sorted(outcome.status for outcome in outcomes) == ["already", "already", "already", "posted"]
    assert len(digests(transport, other_transport)) == 2


async def test_a_process_killed_between_posting_and_recording_does_not_post_again(
    core, settings, clock, transport, scheduled, monkeypatch
):
    async def killed(*args, **kwargs):
        raise asyncio.CancelledError  # not an Exception: nothing in the bot catches it, like a kill

    monkeypatch.setattr(bot.digests.service, "_record_outcome", killed)
    clock.set(FIRST_SLOT)
    with pytest.raises(asyncio.CancelledError):
        await core.scheduler.run_due()
    monkeypatch.undo()
    assert len(digests(transport)) == 1
    assert await runs(core) == {"week:2026-W46": "claimed"}
    await core.close()

    again, recording = await restart(settings, clock)
    try:
        clock.advance(CLAIM_TIMEOUT + timedelta(minutes=1))  # the dead process's claim goes stale
        await again.scheduler.run_due()
        await again.scheduler.run_due()
        assert digests(recording) == []
        this_week = [job for job in await jobs(again, "digest:") if job.key.endswith("W46")]
        assert this_week[0].status == "done"  # re-run, found the claimed run, posted nothing
        status = await Chat(again).text("digest", as_user="carol")
        assert "week 46, 9–15 Nov 2026: outcome not recorded" in status and "not resent" in status
    finally:
        await again.close()


async def test_an_error_while_recording_is_retried_without_posting_again(
    core, clock, transport, scheduled, monkeypatch
):
    async def broken(*args, **kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(bot.digests.service, "_record_outcome", broken)
    clock.set(FIRST_SLOT)
    await core.scheduler.run_due()
    monkeypatch.undo()
    clock.advance(RETRY_DELAY)
    await core.scheduler.run_due()
    assert len(digests(transport)) == 1
    assert [job.status for job in await jobs(core, "digest:") if job.key.endswith("W46")] == ["done"]


class FailsAfterPosting(RecordingTransport):
    async def send_channel(self, channel_id, reply, thread_id=None):
        await super().send_channel(channel_id, reply, thread_id)
        raise TimeoutError("no answer from the platform")


async def test_a_platform_error_is_recorded_and_not_resent(core, settings, clock, scheduled):
    flaky = FailsAfterPosting()
    core.register_transport(flaky)
    clock.set(FIRST_SLOT)
    await core.scheduler.run_due()
    clock.advance(timedelta(hours=2))
    await core.scheduler.run_due()
    assert len(digests(flaky)) == 1
    assert await runs(core) == {"week:2026-W46": "failed"}
    status = await Chat(core).text("digest", as_user="carol")
    assert "week 46, 9–15 Nov 2026: failed" in status and "TimeoutError" in status


async def test_no_transport_means_no_claim_so_a_later_try_posts(core, clock, transport, scheduled):
    del core.transports["console"]
    clock.set(FIRST_SLOT)
    await core.scheduler.run_due()
    assert await runs(core) == {}
    core.register_transport(transport)
    clock.advance(RETRY_DELAY)
    await core.scheduler.run_due()
    assert len(digests(transport)) == 1 and await runs(core) == {"week:2026-W46": "posted"}


async def test_a_missed_slot_is_skipped_and_the_next_one_posts(core, settings, clock, transport, scheduled):
    await core.close()  # the bot is down over the first slot
    clock.set(FIRST_SLOT + timedelta(hours=settings.job_grace_hours, minutes=1))
    again, recording = await restart(settings, clock)
    try:
        await again.scheduler.run_due()
        assert digests(recording) == []
        assert await runs(again) == {"week:2026-W46": "skipped"}
        clock.set(SECOND_SLOT)
        await again.scheduler.run_due()
        assert digests(recording) == ["Lighthouse digest · Monday 16 November 2026"]
    finally:
        await again.close()


async def test_a_late_slot_within_grace_posts_once(core, clock, transport, scheduled):
    clock.set(FIRST_SLOT + timedelta(hours=2))
    await core.scheduler.run_due()
    await core.scheduler.run_due()
    assert len(digests(transport)) == 1


async def test_digest_now_posts_once_and_preview_posts_nothing(chat: Chat, core, clock, transport, scheduled):
    preview = await chat.say("digest preview", as_user="carol")
    assert preview.private and preview.text.startswith("Preview (not posted)")
    assert digests(transport) == []
    first = await chat.say("digest now", as_user="carol")
    assert first.tone == "success" and "1 upcoming event," in first.text  # the other is beyond 14 days
    second = await chat.say("digest now", as_user="carol")
    assert "won't post it twice" in second.text
    assert len(digests(transport)) == 1
