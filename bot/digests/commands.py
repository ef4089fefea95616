"""`digest`: a channel's regular digest of upcoming events, new pilots and documents (coordinators).

Also the digest job: the scheduler runs it, the service posts each period's digest once, the views word it."""

from __future__ import annotations

import logging

from bot.commands import Subcommand
from bot.context import CommandContext
from bot.digests import service, views
from bot.digests.schedule import SYNTAX, DigestSpec, manual_period_key, parse_spec
from bot.digests.service import DigestOutcome
from bot.digests.views import describe_run, digest_message, next_slot_text, posted_counts
from bot.feature import Feature
from bot.reply import Reply, Section
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
        core, platform=platform, channel_id=channel_id, key=key, spec=spec, notices=views
    )


@FEATURE.job(service.DIGEST_JOB, rerun_safe=True, on_skip=service.record_missed_digest)
async def run_scheduled_digest(core: Runtime, job: Job) -> None:
    await service.run_scheduled_digest(core, job, notices=views)


async def _status(ctx: CommandContext, words: list[str]) -> Reply:
    platform, channel_id = _channel(ctx)
    status = await service.digest_status(ctx.core, platform, channel_id)
    zone = status.spec.timezone if status.spec else "UTC"
    if status.spec is None:
        text = f"This channel has no digest schedule. Set one with `{SYNTAX}`."
    else:
        text = f"This channel gets a digest {status.spec.describe()}."
        if status.next_slot is not None:
            text += f" Next: {next_slot_text(status.next_slot, zone)}."
    sections = []
    if status.runs:
        sections.append(Section(title="Recent digests", text="\n".join(describe_run(run, zone) for run in status.runs)))
    sections.append(
        Section(context="`digest preview` shows the next one; `digest now` posts one now; `digest off` stops them.")
    )
    return Reply(text=text, sections=sections, private=True)


async def _schedule(ctx: CommandContext, words: list[str]) -> Reply:
    _require_channel(ctx)
    spec = parse_spec(words, default_zone=ctx.member.timezone)
    platform, channel_id = _channel(ctx)
    slot = await service.set_schedule(ctx.core, platform=platform, channel_id=channel_id, spec=spec, member=ctx.member)
    ctx.audited = True
    return Reply(
        text=f"This channel gets a digest {spec.describe()}. Next: {next_slot_text(slot, spec.timezone)}.",
        sections=[
            Section(
                context="Each period's digest is posted once, even with several bot processes or after a restart. "
                "`digest preview` shows what it would say now."
            )
        ],
        private=True,
        tone="success",
    )


async def _preview(ctx: CommandContext, words: list[str]) -> Reply:
    platform, channel_id = _channel(ctx)
    content = await service.preview_digest(ctx.core, platform, channel_id, fallback_zone=ctx.member.timezone)
    if content.empty:
        return Reply(
            text="Nothing to report right now: no upcoming events, nothing new, no exchanges logged. "
            "A scheduled digest with nothing in it is not posted.",
            private=True,
        )
    preview = digest_message(content)
    preview.text = "Preview (not posted): " + preview.text
    preview.private = True
    return preview


async def _now(ctx: CommandContext, words: list[str]) -> Reply:
    _require_channel(ctx)
    platform, channel_id = _channel(ctx)
    if platform not in ctx.core.transports:
        raise UserError(f"I can't post to {platform} channels from this bot process.")
    spec = await service.channel_spec(ctx.core, platform, channel_id, fallback_zone=ctx.member.timezone)
    now = ctx.now()
    outcome = await post_digest(
        ctx.core, platform=platform, channel_id=channel_id, key=manual_period_key(now), spec=spec
    )
    await service.record_manual_post(
        ctx.core, platform=platform, channel_id=channel_id, member=ctx.member, outcome=outcome, at=now
    )
    ctx.audited = True
    if outcome.status == "posted":
        assert outcome.content is not None
        return Reply(text=f"Digest posted here: {posted_counts(outcome.content)}.", private=True, tone="success")
    if outcome.status == "already":
        return Reply(text="A digest was just posted here; I won't post it twice.", private=True)
    if outcome.status == "empty":
        return Reply(text="Nothing to report right now, so I posted nothing.", private=True)
    raise UserError(
        "Posting the digest failed; the platform answered with an error.",
        hint="It may still have appeared; check the channel before trying again.",
    )


async def _off(ctx: CommandContext, words: list[str]) -> Reply:
    platform, channel_id = _channel(ctx)
    removed = await service.remove_schedule(ctx.core, platform=platform, channel_id=channel_id, member=ctx.member)
    ctx.audited = True
    if not removed:
        return Reply(text="This channel had no digest schedule.", private=True)
    return Reply(text="Digests for this channel are off.", private=True, tone="success")


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
