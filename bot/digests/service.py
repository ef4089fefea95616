"""Channel digests: what is coming up and what is new, posted once per channel and period.

Exactly once, in the database: a digest for (platform, channel, period) is a row in `digest_runs` with a
unique key. The row is inserted (claimed) and committed *before* the post, and the outcome is recorded
after it. Whoever inserts the row posts; everyone else (a second process, a restarted one, a retried
job) finds the row and does not. A run left "claimed" - the process stopped between posting and
recording - may have been posted, so it is never posted again: we prefer a rare missing digest to a
duplicate in a busy channel (`digest` shows such a run, and `digest now` can post by hand). The same
holds when the platform answers the post with an error: it may still have gone through.

Scheduled digests are jobs (bot/scheduler.py), one per channel and period; each run first schedules the
next one, and a start-up hook re-creates any missing, so the chain survives restarts and missed slots.

The words are not made here: whatever posts a digest takes `notices` (a `DigestNotices`, which turns the
`DigestContent` of `bot.digests.content` into the message; `bot.digests.views.NOTICES` is one), as the
events and introductions services do for the messages they send to members. The job itself is registered
by the commands module, which hands that wording to `run_scheduled_digest`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import record_audit
from bot.digests.content import DigestContent, build_digest, last_covered_to
from bot.digests.schedule import DigestSpec, next_slot, period_key
from bot.scheduler import SkipJob, cancel_jobs, schedule_job
from storage.models import DigestRun, DigestSchedule, Job, Member

if TYPE_CHECKING:
    from bot.reply import (
        Reply,  # only the type the notices return: the words are the views'
    )
    from bot.runtime import Runtime
    from bot.transport import Transport

log = logging.getLogger(__name__)

class DigestJob(StrEnum):
    DIGEST = "digest"


class DigestAudit(StrEnum):
    """The audit actions of digests (worded by `bot.digests.views`)."""

    SCHEDULE = "digest.schedule"
    NOW = "digest.now"
    OFF = "digest.off"


DIGEST_JOB = DigestJob.DIGEST
# A digest without a schedule (`digest now` in a new channel) covers this far back and ahead.
DEFAULT_SPEC = DigestSpec(frequency="weekly", weekday=0, time_of_day="09:00", timezone="UTC")


def spec_of(schedule: DigestSchedule) -> DigestSpec:
    return DigestSpec(schedule.frequency, schedule.weekday, schedule.time_of_day, schedule.timezone)


def job_key_prefix(platform: str, channel_id: str) -> str:
    return f"digest:{platform}:{channel_id}:"


class DigestNotices(Protocol):
    """The message a digest is posted as; returns what a transport's `send_channel` takes (a Reply)."""

    def digest_message(self, content: DigestContent) -> Reply: ...


def _spec_or_default(schedule: DigestSchedule | None, fallback_zone: str | None) -> DigestSpec:
    """The channel's schedule; without one, a weekly digest in `fallback_zone` (the asker's) or UTC."""
    return spec_of(schedule) if schedule else replace(DEFAULT_SPEC, timezone=fallback_zone or "UTC")


async def channel_spec(core: Runtime, platform: str, channel_id: str, *, fallback_zone: str | None) -> DigestSpec:
    async with core.db.session() as session:
        return _spec_or_default(await schedule_for(session, platform, channel_id), fallback_zone)


async def preview_digest(core: Runtime, platform: str, channel_id: str, *, fallback_zone: str | None) -> DigestContent:
    """What the channel's next digest would report now (nothing is posted or recorded)."""
    now = core.clock.now()
    async with core.db.session() as session:
        schedule = await schedule_for(session, platform, channel_id)
        spec = _spec_or_default(schedule, fallback_zone)
        since = await last_covered_to(session, platform, channel_id) or now - spec.lookback
        return await build_digest(session, spec=spec, since=since, now=now)


# --- posting exactly once ------------------------------------------------------------------------


@dataclass
class DigestOutcome:
    status: str  # posted, already, failed, empty
    period_key: str
    message_ref: str | None = None
    detail: str | None = None
    content: DigestContent | None = None


async def _claim_run(
    core: Runtime,
    platform: str,
    channel_id: str,
    key: str,
    *,
    since: datetime,
    now: datetime,
    status: str = "claimed",
    detail: str | None = None,
) -> int | None:
    """Insert the run row and commit it; None when another process (or an earlier try) has it."""
    run = DigestRun(
        platform=platform,
        channel_id=channel_id,
        period_key=key,
        status=status,
        claimed_by=core.instance_id,
        claimed_at=now,
        covered_from=since,
        covered_to=now,
        detail=detail,
    )
    try:
        async with core.db.session() as session, session.begin():
            session.add(run)
    except IntegrityError:
        return None
    return run.id


async def _record_outcome(
    core: Runtime, run_id: int, status: str, *, message_ref: str | None = None, detail: str | None = None
) -> None:
    async with core.db.session() as session, session.begin():
        await session.execute(
            update(DigestRun)
            .where(DigestRun.id == run_id, DigestRun.status == "claimed")
            .values(
                status=status,
                posted_at=core.clock.now() if status == "posted" else None,
                message_ref=message_ref,
                detail=detail[:300] if detail else None,
            )
        )


async def post_digest(
    core: Runtime, *, platform: str, channel_id: str, key: str, spec: DigestSpec | None, notices: DigestNotices
) -> DigestOutcome:
    """Post the digest for (platform, channel, period key) unless it was posted or claimed already."""
    transport = core.transports.get(platform)
    if transport is None:  # before any claim, so another try (or process) can still post it
        raise RuntimeError(f"no {platform} transport in this process; cannot post the digest")
    spec = spec or DEFAULT_SPEC
    now = core.clock.now()
    async with core.db.session() as session:
        if await _run_exists(session, platform, channel_id, key):
            return DigestOutcome("already", key)
        since = await last_covered_to(session, platform, channel_id) or now - spec.lookback
        content = await build_digest(session, spec=spec, since=since, now=now)
    if content.empty:
        # Recorded like a post, so a quiet period stays quiet on every process; not counted as "seen".
        claimed = await _claim_run(
            core, platform, channel_id, key, since=since, now=now, status="skipped", detail="nothing to report"
        )
        log.info("digest %s %s:%s: nothing to report", key, platform, channel_id)
        return DigestOutcome("empty" if claimed else "already", key, content=content)
    message = notices.digest_message(content)  # before the claim: a claimed run is never posted again
    run_id = await _claim_run(core, platform, channel_id, key, since=since, now=now)
    if run_id is None:
        return DigestOutcome("already", key)
    return await _send_claimed(
        core, transport, run_id, message, platform=platform, channel_id=channel_id, key=key, content=content
    )


async def _run_exists(session: AsyncSession, platform: str, channel_id: str, key: str) -> bool:
    taken = await session.execute(
        select(DigestRun.id).where(
            DigestRun.platform == platform, DigestRun.channel_id == channel_id, DigestRun.period_key == key
        )
    )
    return taken.first() is not None


async def _send_claimed(
    core: Runtime,
    transport: Transport,
    run_id: int,
    message: Reply,
    *,
    platform: str,
    channel_id: str,
    key: str,
    content: DigestContent,
) -> DigestOutcome:
    """Send a claimed run once, and record how it went (a failed send is not retried: it may have posted)."""
    try:
        ref = await transport.send_channel(channel_id, message)
    except Exception as exc:
        log.exception("digest %s to %s:%s: the platform answered with an error", key, platform, channel_id)
        detail = f"the platform answered with an error ({exc.__class__.__name__}); not resent, it may have posted"
        await _record_outcome(core, run_id, "failed", detail=detail)
        return DigestOutcome("failed", key, detail=detail, content=content)
    await _record_outcome(core, run_id, "posted", message_ref=ref)
    log.info("digest %s posted to %s:%s", key, platform, channel_id)
    return DigestOutcome("posted", key, message_ref=ref, content=content)


# --- schedules and the job chain -----------------------------------------------------------------


async def schedule_for(session: AsyncSession, platform: str, channel_id: str) -> DigestSchedule | None:
    return (
        await session.execute(
            select(DigestSchedule).where(DigestSchedule.platform == platform, DigestSchedule.channel_id == channel_id)
        )
    ).scalar_one_or_none()


async def ensure_next_job(session: AsyncSession, schedule: DigestSchedule, *, after: datetime) -> datetime:
    """Make sure the first slot after `after` whose period has no digest yet has a pending job."""
    spec = spec_of(schedule)
    slot = next_slot(spec, after)
    for _ in range(3):
        key = period_key(spec, slot)
        job_key = job_key_prefix(schedule.platform, schedule.channel_id) + key
        payload = {
            "platform": schedule.platform,
            "channel_id": schedule.channel_id,
            "period_key": key,
            "signature": spec.signature,
        }
        if await schedule_job(
            session, kind=DIGEST_JOB, key=job_key, due_at=slot, payload=payload, replace_cancelled=True
        ):
            return slot
        existing = (await session.execute(select(Job).where(Job.key == job_key))).scalar_one()
        if existing.status == "pending":
            return existing.due_at
        slot = next_slot(spec, slot)  # this period is taken care of; the next one
    return slot


async def set_schedule(core: Runtime, *, platform: str, channel_id: str, spec: DigestSpec, member: Member) -> datetime:
    """Create or replace the channel's schedule (audited); returns the next slot."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        schedule = await schedule_for(session, platform, channel_id)
        if schedule is None:
            schedule = DigestSchedule(platform=platform, channel_id=channel_id, created_at=now)
            session.add(schedule)
        schedule.frequency, schedule.weekday = spec.frequency, spec.weekday
        schedule.time_of_day, schedule.timezone = spec.time_of_day, spec.timezone
        schedule.created_by_id = member.id
        await session.flush()
        await cancel_jobs(session, key_prefix=job_key_prefix(platform, channel_id))
        slot = await ensure_next_job(session, schedule, after=now)
        await record_audit(
            session,
            member,
            DigestAudit.SCHEDULE,
            {"platform": platform, "channel_id": channel_id, "schedule": spec.signature},
            at=now,
        )
    core.scheduler.poke()
    return slot


async def remove_schedule(core: Runtime, *, platform: str, channel_id: str, member: Member) -> bool:
    """Stop the channel's digests (audited when there was a schedule); False when there was none."""
    async with core.db.session() as session, session.begin():
        result = await session.execute(
            delete(DigestSchedule).where(DigestSchedule.platform == platform, DigestSchedule.channel_id == channel_id)
        )
        await cancel_jobs(session, key_prefix=job_key_prefix(platform, channel_id))
        removed = bool(result.rowcount)
        if removed:
            await record_audit(
                session, member, DigestAudit.OFF, {"platform": platform, "channel_id": channel_id}, at=core.clock.now()
            )
    return removed


async def record_manual_post(
    core: Runtime, *, platform: str, channel_id: str, member: Member, outcome: DigestOutcome, at: datetime
) -> None:
    """The audit entry for a digest posted (or not) with `digest now`."""
    async with core.db.session() as session, session.begin():
        await record_audit(
            session,
            member,
            DigestAudit.NOW,
            {"platform": platform, "channel_id": channel_id, "outcome": outcome.status},
            at=at,
        )


@dataclass
class DigestStatus:
    spec: DigestSpec | None  # the channel's schedule, if it has one
    next_slot: datetime | None  # when the next scheduled digest is due
    runs: list[DigestRun]  # the most recent first


async def digest_status(core: Runtime, platform: str, channel_id: str) -> DigestStatus:
    async with core.db.session() as session:
        schedule = await schedule_for(session, platform, channel_id)
        runs = await _recent_runs(session, platform, channel_id)
        pending = await _next_pending_slot(session, platform, channel_id) if schedule else None
    return DigestStatus(spec_of(schedule) if schedule else None, pending, runs)


async def _next_pending_slot(session: AsyncSession, platform: str, channel_id: str) -> datetime | None:
    return (
        await session.execute(
            select(func.min(Job.due_at)).where(
                Job.key.startswith(job_key_prefix(platform, channel_id), autoescape=True), Job.status == "pending"
            )
        )
    ).scalar()


async def _recent_runs(session: AsyncSession, platform: str, channel_id: str, limit: int = 5) -> list[DigestRun]:
    rows = await session.execute(
        select(DigestRun)
        .where(DigestRun.platform == platform, DigestRun.channel_id == channel_id)
        .order_by(DigestRun.claimed_at.desc(), DigestRun.id.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def _current_spec(core: Runtime, job: Job) -> DigestSpec:
    payload = job.payload
    async with core.db.session() as session, session.begin():
        schedule = await schedule_for(session, payload["platform"], payload["channel_id"])
        if schedule is None or spec_of(schedule).signature != payload["signature"]:
            raise SkipJob("the channel's digest schedule was changed or removed")
        # Chain first: whatever happens to this run, the next period is already scheduled.
        await ensure_next_job(session, schedule, after=max(job.due_at, core.clock.now()))
        return spec_of(schedule)


async def record_missed_digest(core: Runtime, job: Job) -> None:
    """A slot found beyond the grace window: record the period as skipped and keep the chain going."""
    payload = job.payload
    try:
        await _current_spec(core, job)
    except SkipJob:
        return
    now = core.clock.now()
    await _claim_run(
        core,
        payload["platform"],
        payload["channel_id"],
        payload["period_key"],
        since=now,
        now=now,
        status="skipped",
        detail=f"missed: the bot was not running within {core.settings.job_grace_hours:g} h of the slot",
    )


async def run_scheduled_digest(core: Runtime, job: Job, *, notices: DigestNotices) -> None:
    """The digest job. Re-running it is safe: the run row guards the post."""
    spec = await _current_spec(core, job)
    payload = job.payload
    outcome = await post_digest(
        core,
        platform=payload["platform"],
        channel_id=payload["channel_id"],
        key=payload["period_key"],
        spec=spec,
        notices=notices,
    )
    log.info("scheduled digest %s: %s", job.key, outcome.status)


async def ensure_digest_jobs(core: Runtime) -> None:
    """At start-up: every schedule has its next job (lost ones are re-created, existing ones kept)."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        for schedule in (await session.execute(select(DigestSchedule))).scalars():
            await ensure_next_job(session, schedule, after=now)
