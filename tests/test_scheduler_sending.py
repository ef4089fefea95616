"""Scheduler: the "sending" mark, stale claims, skips and revived jobs."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.app.catalogue import ALL_FEATURES
from bot.feature import Feature
from bot.scheduler import CLAIM_TIMEOUT, SkipJob, cancel_jobs, schedule_job
from storage.models import Job

SENT: list[str] = []
TEST_JOBS = Feature("scheduler tests")


@pytest.fixture
def features():
    return (*ALL_FEATURES, TEST_JOBS)
FOLLOW_UPS: list[str] = []


@TEST_JOBS.job("test.send_then_fail", rerun_safe=True)
async def _send_then_fail(core, job):
    await core.scheduler.begin_send(job)
    SENT.append(job.key)
    raise RuntimeError("lost the connection after sending")


@TEST_JOBS.job("test.fail_before_sending", rerun_safe=True)
async def _fail_before_sending(core, job):
    if job.attempts == 1:
        raise RuntimeError("database hiccup")
    await core.scheduler.begin_send(job)
    SENT.append(job.key)


@TEST_JOBS.job("test.not_needed")
async def _not_needed(core, job):
    raise SkipJob("nothing to do any more")


async def _follow_up(core, job):
    FOLLOW_UPS.append(job.key)


@TEST_JOBS.job("test.chained", on_skip=_follow_up)
async def _chained(core, job):
    SENT.append(job.key)


@TEST_JOBS.job("test.plain")
async def _plain(core, job):
    SENT.append(job.key)


async def add(core, key, due, kind):
    async with core.db.session() as session, session.begin():
        return await schedule_job(session, kind=kind, key=key, due_at=due)


async def job(core, key) -> Job:
    async with core.db.session() as session:
        return (await session.execute(select(Job).where(Job.key == key))).scalar_one()


async def test_an_error_after_begin_send_is_never_retried(core, clock):
    SENT.clear()
    await add(core, "a", clock.now(), "test.send_then_fail")
    await core.scheduler.run_due()
    clock.advance(timedelta(hours=1))
    await core.scheduler.run_due()
    assert SENT == ["a"] and (await job(core, "a")).status == "uncertain"


async def test_an_error_before_begin_send_is_retried(core, clock):
    SENT.clear()
    await add(core, "b", clock.now(), "test.fail_before_sending")
    await core.scheduler.run_due()
    assert (await job(core, "b")).status == "pending"
    clock.advance(timedelta(minutes=5))
    await core.scheduler.run_due()
    assert SENT == ["b"] and (await job(core, "b")).status == "done"


async def test_skip_job_and_on_skip(core, clock):
    SENT.clear()
    FOLLOW_UPS.clear()
    await add(core, "c", clock.now(), "test.not_needed")
    await add(core, "d", clock.now(), "test.chained")
    clock.advance(timedelta(hours=core.settings.job_grace_hours, minutes=1))
    await core.scheduler.run_due()
    c, d = await job(core, "c"), await job(core, "d")
    assert (c.status, d.status) == ("skipped", "skipped") and "missed" in d.last_error
    assert SENT == [] and FOLLOW_UPS == ["d"]


async def test_stale_claims_of_plain_jobs_are_not_run_again(core, clock):
    SENT.clear()
    await add(core, "e", clock.now(), "test.plain")
    async with core.db.session() as session, session.begin():
        await session.execute(
            update(Job).where(Job.key == "e").values(status="claimed", claimed_by="gone", claimed_at=clock.now())
        )
    clock.advance(CLAIM_TIMEOUT + timedelta(seconds=1))
    await core.scheduler.run_due()
    assert SENT == [] and (await job(core, "e")).status == "uncertain"


async def test_a_late_finish_from_a_replaced_claim_changes_nothing(core, clock):
    """A slow process whose claim went stale cannot overwrite what the new claimant recorded."""
    SENT.clear()
    await add(core, "f", clock.now(), "test.fail_before_sending")
    stale = await core.scheduler._claim((await job(core, "f")).id, clock.now())
    clock.advance(CLAIM_TIMEOUT + timedelta(seconds=1))
    await core.scheduler.run_due()  # recovered, then run (attempt 2 sends)
    assert SENT == ["f"] and (await job(core, "f")).status == "done"
    await core.scheduler._finish(stale, "failed", "too late")
    assert (await job(core, "f")).status == "done"


async def test_replace_cancelled_revives_only_cancelled_jobs(core, clock):
    await add(core, "event:1:x", clock.now() + timedelta(hours=1), "test.plain")
    async with core.db.session() as session, session.begin():
        assert await cancel_jobs(session, key_prefix="event:1:") == 1
        assert not await schedule_job(session, kind="test.plain", key="event:1:x", due_at=clock.now())
        assert await schedule_job(
            session, kind="test.plain", key="event:1:x", due_at=clock.now(), replace_cancelled=True
        )
        # A pending (or finished) job is never replaced.
        assert not await schedule_job(
            session, kind="test.plain", key="event:1:x", due_at=clock.now(), replace_cancelled=True
        )
    assert (await job(core, "event:1:x")).status == "pending"


async def test_cancel_prefixes_are_literal(core, clock):
    await add(core, "digest:slack:C_1:week", clock.now(), "test.plain")
    await add(core, "digest:slack:CX1:week", clock.now(), "test.plain")
    async with core.db.session() as session, session.begin():
        assert await cancel_jobs(session, key_prefix="digest:slack:C_1:") == 1
    assert (await job(core, "digest:slack:CX1:week")).status == "pending"
