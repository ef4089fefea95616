"""`digest`: a channel's regular digest of upcoming events, new pilots and documents (coordinators).

Also the digest job: the scheduler runs it, the service posts each period's digest once, the views word it."""

from __future__ import annotations

import logging

from bot.commands import Subcommand
from bot.context import CommandContext
from bot.digests import service, views
from bot.digests.schedule import SYNTAX, DigestSpec, manual_period_key, parse_spec
from bot.digests.service import DigestOutcome
from bot.feature import Feature
from bot.reply import Reply
from bot.runtime import Runtime
from config.errors import UserError
from storage.models import Job

FEATURE = Feature("digests", on_start=service.ensure_digest_jobs, audit_wording=views.AUDIT_WORDING)

log = logging.getLogger(__name__)


def _channel(ctx: CommandContext) -> tuple[str, str]:
    return ctx.message.platform, ctx.message.channel_id


def _require_channel(ctx: CommandContext) -> None:
    if ctx.message.is_direct and ctx.message.platform != "console":
        raise UserError("Digests go to channels.", hint="Type this in the channel that should get the digest.")


async def post_digest(
    core: Runtime, *, platform: str, channel_id: str, key: str, spec: DigestSpec | None
) -> DigestOutcome:
    """The channel's digest for the period `key`, worded by the views and posted once by the service."""
    return await service.post_digest(
        core, platform=platform, channel_id=channel_id, key=key, spec=spec, notices=views.NOTICES
    )


@FEATURE.job(service.DIGEST_JOB, rerun_safe=True, on_skip=service.record_missed_digest)
async def run_scheduled_digest(core: Runtime, job: Job) -> None:
    await service.run_scheduled_digest(core, job, notices=views.NOTICES)


async def _status(ctx: CommandContext, words: list[str]) -> Reply:
    platform, channel_id = _channel(ctx)
    return views.status(await service.digest_status(ctx.core, platform, channel_id))


async def _schedule(ctx: CommandContext, words: list[str]) -> Reply:
    _require_channel(ctx)
    spec = parse_spec(words, default_zone=ctx.member.timezone)
    platform, channel_id = _channel(ctx)
    slot = await service.set_schedule(ctx.core, platform=platform, channel_id=channel_id, spec=spec, member=ctx.member)
    ctx.audited = True
    return views.schedule_set(spec, slot)


async def _preview(ctx: CommandContext, words: list[str]) -> Reply:
    platform, channel_id = _channel(ctx)
    content = await service.preview_digest(ctx.core, platform, channel_id, fallback_zone=ctx.member.timezone)
    return views.preview(content)


async def _now(ctx: CommandContext, words: list[str]) -> Reply:
    _require_channel(ctx)
    platform, channel_id = _channel(ctx)
    if platform not in ctx.core.transports:
        raise views.cannot_post_from_here(platform)
    spec = await service.channel_spec(ctx.core, platform, channel_id, fallback_zone=ctx.member.timezone)
    now = ctx.now()
    outcome = await post_digest(
        ctx.core, platform=platform, channel_id=channel_id, key=manual_period_key(now), spec=spec
    )
    await service.record_manual_post(
        ctx.core, platform=platform, channel_id=channel_id, member=ctx.member, outcome=outcome, at=now
    )
    ctx.audited = True
    return views.posted_now(outcome)


async def _off(ctx: CommandContext, words: list[str]) -> Reply:
    platform, channel_id = _channel(ctx)
    removed = await service.remove_schedule(ctx.core, platform=platform, channel_id=channel_id, member=ctx.member)
    ctx.audited = True
    return views.schedule_removed(removed)


FEATURE.command_with_subcommands(
    "digest",
    summary="A channel's regular digest of events, new pilots and documents",
    usage="digest [schedule <when> | preview | now | off]",
    help=(
        "Run these in the channel that should get the digest.\n"
        "`digest schedule daily|weekly|monthly [weekday] [HH:MM] [time zone]` sets when (weekly and monthly "
        "default to Monday, the time to 09:00, the zone to yours or UTC; monthly means the first such weekday "
        "of the month). `digest preview` shows the digest without posting it, `digest now` posts it, "
        "`digest off` stops it, and `digest` alone shows the schedule and recent digests.\n"
        "A digest lists upcoming events, pilots and documents added since the last digest, and a few "
        "knowledge-transfer figures. Each period's digest is posted once, even with several bot processes."
    ),
    examples=(
        SYNTAX,
        "digest schedule daily 08:30 UTC",
        "digest schedule monthly tuesday 10:00 Europe/Oslo",
        "digest preview",
        "digest now",
        "digest off",
    ),
    role="coordinator",
    subcommands=(
        Subcommand("status", _status, "This channel's schedule and recent digests"),
        Subcommand("schedule", _schedule, "Set when this channel gets a digest",
                   "daily|weekly|monthly [weekday] [HH:MM] [time zone]"),
        Subcommand("preview", _preview, "The next digest, without posting it"),
        Subcommand("now", _now, "Post a digest here now"),
        Subcommand("off", _off, "Stop this channel's digests"),
    ),
    default="status",
)
