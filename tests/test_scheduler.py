import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app.catalogue import ALL_FEATURES
from bot.app.core import Lighthouse
from bot.feature import Feature
from bot.scheduler import cancel_jobs, schedule_job
from storage.models import Job

RAN: list[str] = []
TEST_JOBS = Feature("scheduler tests")


@pytest.fixture
def features():
    return (*ALL_FEATURES, TEST_JOBS)


@TEST_JOBS.job("test.record")
async def _record(core, job):
    RAN.append(job.payload["name"])


@TEST_JOBS.job("test.flaky")
async def _flaky(core, job):
    if job.attempts < 2:
        raise RuntimeError("transient")
    RAN.append("flaky ok")


async def add(core, key, due, kind="test.record", name=None):
    async with core.db.session() as session, session.begin():
        return await schedule_job(session, kind=kind, key=key, due_at=due, payload={"name": name or key})


async def status_of(core, key):
    async with core.db.session() as session:
        return (await session.execute(select(Job.status).where(Job.key == key))).scalar_one()


async def test_a_job_runs_once_when_due(core, clock):
    RAN.clear()
    assert await add(core, "a", clock.now() + timedelta(minutes=5))
    assert not await add(core, "a", clock.now())  # same key: not added twice
    assert await core.scheduler.run_due() == 0
    clock.advance(timedelta(minutes=5))
    assert await core.scheduler.run_due() == 1
    assert await core.scheduler.run_due() == 0
    assert RAN == ["a"] and await status_of(core, "a") == "done"


async def test_two_schedulers_race_and_the_job_runs_once(core, settings, clock, features):
    RAN.clear()
    other = Lighthouse(settings, clock=clock, features=features)
    try:
        for i in range(20):
            await add(core, f"race-{i}", clock.now())
        counts = await asyncio.gather(core.scheduler.run_due(), other.scheduler.run_due())
        assert sum(counts) == 20
        assert sorted(RAN) == sorted(f"race-{i}" for i in range(20))
    finally:
        await other.close()


async def test_missed_jobs_beyond_grace_are_skipped_not_sent(core, clock):
    RAN.clear()
    await add(core, "late", clock.now())
    clock.advance(timedelta(hours=core.settings.job_grace_hours + 1))
    await core.scheduler.run_due()
    assert RAN == [] and await status_of(core, "late") == "skipped"


async def test_failures_are_retried_then_succeed(core, clock):
    RAN.clear()
    await add(core, "flaky", clock.now(), kind="test.flaky")
    await core.scheduler.run_due()
    assert await status_of(core, "flaky") == "pending"
    clock.advance(timedelta(minutes=10))
    await core.scheduler.run_due()
    assert RAN == ["flaky ok"] and await status_of(core, "flaky") == "done"


async def test_cancelled_jobs_never_run(core, clock):
    RAN.clear()
    await add(core, "event:1:reminder", clock.now())
    async with core.db.session() as session, session.begin():
        assert await cancel_jobs(session, key_prefix="event:1:") == 1
    await core.scheduler.run_due()
    assert RAN == []


async def test_run_forever_stops_when_asked(core, clock):
    RAN.clear()
    await add(core, "loop", clock.now())
    stop = asyncio.Event()
    task = asyncio.create_task(core.scheduler.run_forever(stop))
    for _ in range(100):
        if RAN:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert RAN == ["loop"]
