"""Jobs that must happen once at a given time (reminders, expiries, follow-ups, digests).

Jobs live in the database, so a restart loses none. A job is *claimed* with a conditional UPDATE that
only one process can win, and the claim is committed before the work starts: two processes, or a
process restarted after a crash, never run the same job twice. A job found long after its due time
(beyond the grace window) is skipped with a log line rather than sent late.

Statuses: pending -> claimed [-> sending] -> done | failed | skipped | uncertain; pending -> cancelled.

A handler that sends something calls `Scheduler.begin_send(job)` right before the send. That commits
"sending", the point of no return:
- an error *before* it is retried (up to MAX_ATTEMPTS); nothing was sent yet;
- an error *after* it is never retried: the message may have gone out, so the job ends "uncertain";
- a process that dies while a job is "claimed" leaves a stale claim. After CLAIM_TIMEOUT, a job whose
  kind is `rerun_safe` (its handler sends nothing before `begin_send`, or guards its own sends) goes back
  to "pending" and runs again; any other stale claim, and every stale "sending", ends "uncertain".
So a send happens at most once, and exactly once unless a process dies (or the platform errs) after
"sending" was committed and before the outcome was recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Job

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

JobHandler = Callable[["Runtime", Job], Awaitable[None]]
MAX_ATTEMPTS = 3
RETRY_DELAY = timedelta(minutes=2)
# A claim older than this belongs to a process that stopped; no handler runs this long.
CLAIM_TIMEOUT = timedelta(minutes=15)


class SkipJob(Exception):  # noqa: N818 - reads as an instruction: raise SkipJob("event cancelled")
    """Raised by a handler when the job no longer makes sense (event cancelled, member gone)."""


class ClaimLost(Exception):  # noqa: N818
    """The job's claim was taken over (it had gone stale); the handler must stop without sending."""


@dataclass(frozen=True)
class JobKind:
    handler: JobHandler
    rerun_safe: bool = False
    # Called instead of the handler when the job is found beyond the grace window (e.g. to keep a chain
    # of recurring jobs going).
    on_skip: JobHandler | None = None


async def schedule_job(
    session: AsyncSession,
    *,
    kind: str,
    key: str,
    due_at: datetime,
    payload: dict | None = None,
    replace_cancelled: bool = False,
) -> bool:
    """Add a job unless one with `key` exists; True when this call added it.

    With `replace_cancelled`, a cancelled job with the same key (it never ran) is made pending again
    with the new due time and payload, e.g. a member who RSVPs "going" again after "not going".
    """
    existing = (await session.execute(select(Job.id, Job.status).where(Job.key == key))).first()
    if existing is not None:
        if not (replace_cancelled and existing.status == "cancelled"):
            return False
        revived = await session.execute(
            update(Job)
            .where(Job.id == existing.id, Job.status == "cancelled")
            .values(
                status="pending", due_at=due_at, payload=payload or {}, attempts=0, last_error=None,
                claimed_by=None, claimed_at=None, finished_at=None,
            )
        )
        return revived.rowcount == 1
    try:
        async with session.begin_nested():
            session.add(Job(kind=kind, key=key, due_at=due_at, payload=payload or {}))
    except IntegrityError:
        return False
    return True


async def cancel_jobs(session: AsyncSession, *, key_prefix: str) -> int:
    result = await session.execute(
        update(Job)
        .where(Job.key.startswith(key_prefix, autoescape=True), Job.status == "pending")
        .values(status="cancelled")
    )
    return result.rowcount or 0


def _same_claim(job: Job):  # noqa: ANN202 - a SQL condition
    """The claim `job` was handed out with is still the current one (a fencing check)."""
    return (Job.id == job.id) & (Job.claimed_by == job.claimed_by) & (Job.attempts == job.attempts)


class Scheduler:
    def __init__(self, core: Runtime) -> None:
        self.core = core
        # The kinds of job this process runs, added by the features the core is built with.
        self.kinds: dict[str, JobKind] = {}
        self._wake = asyncio.Event()

    def add_kind(self, name: str, kind: JobKind) -> None:
        if name in self.kinds:
            raise ValueError(f"job kind '{name}' added twice")
        self.kinds[name] = kind

    def poke(self) -> None:
        """Wake the loop early (a job due soon was just added in this process)."""
        self._wake.set()

    async def run_due(self, limit: int = 100) -> int:
        """Claim and run every job that is due now; returns how many ran."""
        now = self.core.clock.now()
        await self.recover_stale_claims(now)
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

    async def recover_stale_claims(self, now: datetime) -> None:
        """Deal with jobs left behind by a process that stopped mid-job (see the module docstring)."""
        stale = now - CLAIM_TIMEOUT
        rerun_safe = [kind for kind, spec in self.kinds.items() if spec.rerun_safe]
        async with self.core.db.session() as session:  # a read first: most passes find nothing to write
            found = await session.execute(
                select(Job.id).where(Job.status.in_(("claimed", "sending")), Job.claimed_at < stale).limit(1)
            )
            if found.first() is None:
                return
        async with self.core.db.session() as session, session.begin():
            rerun = await session.execute(
                update(Job)
                .where(Job.status == "claimed", Job.claimed_at < stale, Job.kind.in_(rerun_safe))
                .values(status="pending", last_error="claim went stale before sending; running again")
            )
            abandoned = await session.execute(
                update(Job)
                .where(Job.status.in_(("claimed", "sending")), Job.claimed_at < stale)
                .values(
                    status="uncertain",
                    finished_at=now,
                    last_error="the process stopped mid-job; not run again, as it may have sent already",
                )
            )
        if rerun.rowcount:
            log.warning("%d job(s) with stale claims made pending again (nothing had been sent)", rerun.rowcount)
        if abandoned.rowcount:
            log.warning("%d job(s) with stale claims marked uncertain and not run again", abandoned.rowcount)

    async def begin_send(self, job: Job) -> None:
        """Commit "sending" just before a handler sends: from here on the job is never run again."""
        async with self.core.db.session() as session, session.begin():
            result = await session.execute(
                update(Job).where(_same_claim(job), Job.status == "claimed").values(status="sending")
            )
        if result.rowcount != 1:
            raise ClaimLost(job.key)
        job.status = "sending"

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
        kind = self.kinds.get(job.kind)
        if kind is None:
            await self._finish(job, "failed", f"no handler for job kind {job.kind!r}")
            log.error("job %s: no handler for kind %s", job.key, job.kind)
            return
        if now - job.due_at > grace:
            await self._finish(job, "skipped", f"missed by {now - job.due_at}, beyond the grace window")
            log.warning("job %s skipped: due %s, now %s (grace %s)", job.key, job.due_at, now, grace)
            if kind.on_skip is not None:
                try:
                    await kind.on_skip(self.core, job)
                except Exception:
                    log.exception("job %s: follow-up after skipping failed", job.key)
            return
        try:
            await kind.handler(self.core, job)
        except SkipJob as reason:
            await self._finish(job, "skipped", str(reason))
            log.info("job %s skipped: %s", job.key, reason)
            return
        except ClaimLost:
            log.warning("job %s: claim taken over by another process; stopped without sending", job.key)
            return
        except Exception as exc:  # a job must never take the loop down
            if job.status == "sending":
                await self._finish(job, "uncertain", f"error after sending began: {exc!r}")
                log.exception("job %s failed after sending began; not retried, to avoid a duplicate", job.key)
            elif job.attempts < MAX_ATTEMPTS:
                log.exception("job %s failed (attempt %d); will retry", job.key, job.attempts)
                await self._retry(job, now + RETRY_DELAY * job.attempts, repr(exc))
            else:
                log.exception("job %s failed (attempt %d); giving up", job.key, job.attempts)
                await self._finish(job, "failed", repr(exc))
            return
        await self._finish(job, "done", None)

    async def _finish(self, job: Job, status: str, error: str | None) -> None:
        async with self.core.db.session() as session, session.begin():
            await session.execute(
                update(Job)
                .where(_same_claim(job), Job.status.in_(("claimed", "sending")))
                .values(status=status, finished_at=self.core.clock.now(), last_error=error)
            )

    async def _retry(self, job: Job, due_at: datetime, error: str) -> None:
        async with self.core.db.session() as session, session.begin():
            await session.execute(
                update(Job)
                .where(_same_claim(job), Job.status == "claimed")
                .values(status="pending", due_at=due_at, last_error=error)
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
