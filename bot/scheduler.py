"""Jobs that must happen once at a given time (reminders, expiries, follow-ups, digests).

Jobs live in the database, so a restart loses none. A job is *claimed* with a conditional UPDATE that
only one process can win, and the claim is committed before the work starts: two processes, or a
process restarted after a crash, never run the same job twice. A job found long after its due time
(beyond the grace window) is skipped with a log line rather than sent late.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Job

if TYPE_CHECKING:
    from bot.core import Lighthouse

log = logging.getLogger(__name__)

JobHandler = Callable[["Lighthouse", Job], Awaitable[None]]
_HANDLERS: dict[str, JobHandler] = {}
MAX_ATTEMPTS = 3
RETRY_DELAY = timedelta(minutes=2)


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    def register(handler: JobHandler) -> JobHandler:
        _HANDLERS[kind] = handler
        return handler

    return register


async def schedule_job(
    session: AsyncSession, *, kind: str, key: str, due_at: datetime, payload: dict | None = None
) -> bool:
    """Add a job unless one with `key` exists; True when this call added it."""
    exists = await session.execute(select(Job.id).where(Job.key == key))
    if exists.first() is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(Job(kind=kind, key=key, due_at=due_at, payload=payload or {}))
    except IntegrityError:
        return False
    return True


async def cancel_jobs(session: AsyncSession, *, key_prefix: str) -> int:
    result = await session.execute(
        update(Job).where(Job.key.startswith(key_prefix), Job.status == "pending").values(status="cancelled")
    )
    return result.rowcount or 0


class Scheduler:
    def __init__(self, core: Lighthouse) -> None:
        self.core = core
        self._wake = asyncio.Event()

    def poke(self) -> None:
        """Wake the loop early (a job due soon was just added in this process)."""
        self._wake.set()

    async def run_due(self, limit: int = 100) -> int:
        """Claim and run every job that is due now; returns how many ran."""
        now = self.core.clock.now()
        async with self.core.db.session() as session:
            due = (
                await session.execute(
                    select(Job.id).where(Job.status == "pending", Job.due_at <= now).order_by(Job.due_at).limit(limit)
                )
            ).scalars().all()
        ran = 0
        for job_id in due:
            job = await self._claim(job_id, now)
            if job is None:
                continue  # another process got it
            await self._run(job, now)
            ran += 1
        return ran

    async def _claim(self, job_id: int, now: datetime) -> Job | None:
        async with self.core.db.session() as session, session.begin():
            result = await session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "pending")
                .values(status="claimed", claimed_by=self.core.instance_id, claimed_at=now, attempts=Job.attempts + 1)
            )
            if result.rowcount != 1:
                return None
            return await session.get(Job, job_id)

    async def _run(self, job: Job, now: datetime) -> None:
        grace = timedelta(hours=self.core.settings.job_grace_hours)
        handler = _HANDLERS.get(job.kind)
        if handler is None:
            await self._finish(job.id, "failed", f"no handler for job kind {job.kind!r}")
            log.error("job %s: no handler for kind %s", job.key, job.kind)
            return
        if now - job.due_at > grace:
            await self._finish(job.id, "skipped", f"missed by {now - job.due_at}, beyond the grace window")
            log.warning("job %s skipped: due %s, now %s (grace %s)", job.key, job.due_at, now, grace)
            return
        try:
            await handler(self.core, job)
        except Exception as exc:  # a job must never take the loop down
            log.exception("job %s failed (attempt %d)", job.key, job.attempts)
            if job.attempts < MAX_ATTEMPTS:
                await self._retry(job.id, now + RETRY_DELAY * job.attempts, repr(exc))
            else:
                await self._finish(job.id, "failed", repr(exc))
            return
        await self._finish(job.id, "done", None)

    async def _finish(self, job_id: int, status: str, error: str | None) -> None:
        async with self.core.db.session() as session, session.begin():
            await session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(status=status, finished_at=self.core.clock.now(), last_error=error)
            )

    async def _retry(self, job_id: int, due_at: datetime, error: str) -> None:
        async with self.core.db.session() as session, session.begin():
            await session.execute(
                update(Job).where(Job.id == job_id).values(status="pending", due_at=due_at, last_error=error)
            )

    async def next_due_at(self) -> datetime | None:
        async with self.core.db.session() as session:
            return (await session.execute(select(func.min(Job.due_at)).where(Job.status == "pending"))).scalar()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Sleep until the next job is due (or at most the configured interval), then run what is due."""
        max_sleep = self.core.settings.scheduler_max_sleep_seconds
        while not stop.is_set():
            try:
                await self.run_due()
                next_due = await self.next_due_at()
            except Exception:
                log.exception("scheduler pass failed; trying again shortly")
                next_due = None
            delay = max_sleep
            if next_due is not None:
                delay = min(max_sleep, max(0.0, (next_due - self.core.clock.now()).total_seconds()))
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=max(delay, 0.05), return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
