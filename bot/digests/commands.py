"""`digest`: a channel's regular digest of upcoming events, new pilots and documents (coordinators)."""

from __future__ import annotations

from dataclasses import replace

from bot.audit import record_audit
from bot.commands import Subcommand, command_with_subcommands
from bot.context import CommandContext
from bot.digests.schedule import SYNTAX, DigestSpec, manual_period_key, parse_spec
from bot.digests.service import (
    DEFAULT_SPEC,
    build_digest,
    describe_run,
    last_covered_to,
    next_pending_slot,
    next_slot_text,
    post_digest,
    recent_runs,
    remove_schedule,
    schedule_for,
    set_schedule,
    spec_of,
)
from bot.reply import Reply, Section
from config.errors import UserError
from storage.models import DigestSchedule


def _spec(ctx: CommandContext, schedule: DigestSchedule | None) -> DigestSpec:
    """The channel's schedule; without one, a weekly digest in the asker's time zone."""
    return spec_of(schedule) if schedule else replace(DEFAULT_SPEC, timezone=ctx.member.timezone or "UTC")


def _channel(ctx: CommandContext) -> tuple[str, str]:
    return ctx.message.platform, ctx.message.channel_id


def _require_channel(ctx: CommandContext) -> None:
    if ctx.message.is_direct and ctx.message.platform != "console":
        raise UserError("Digests go to channels.", hint="Type this in the channel that should get the digest.")


async def _status(ctx: CommandContext, words: list[str]) -> Reply:
    platform, channel_id = _channel(ctx)
    async with ctx.db.session() as session:
        schedule = await schedule_for(session, platform, channel_id)
        runs = await recent_runs(session, platform, channel_id)
        pending = await next_pending_slot(session, platform, channel_id) if schedule else None
    zone = schedule.timezone if schedule else "UTC"
    if schedule is None:
        text = f"This channel has no digest schedule. Set one with `{SYNTAX}`."
    else:
        text = f"This channel gets a digest {spec_of(schedule).describe()}."
        if pending is not None:
            text += f" Next: {next_slot_text(pending, zone)}."
    sections = []
    if runs:
        sections.append(Section(title="Recent digests", text="\n".join(describe_run(run, zone) for run in runs)))
    sections.append(
        Section(context="`digest preview` shows the next one; `digest now` posts one now; `digest off` stops them.")
    )
    return Reply(text=text, sections=sections, private=True)


async def _schedule(ctx: CommandContext, words: list[str]) -> Reply:
    _require_channel(ctx)
    spec = parse_spec(words, default_zone=ctx.member.timezone)
    platform, channel_id = _channel(ctx)
    now = ctx.now()
    async with ctx.db.session() as session, session.begin():
        slot = await set_schedule(
            session, platform=platform, channel_id=channel_id, spec=spec, member_id=ctx.member.id, now=now
        )
        await record_audit(
            session,
            ctx.member,
            "digest.schedule",
            {"platform": platform, "channel_id": channel_id, "schedule": spec.signature},
            at=now,
        )
    ctx.audited = True
    ctx.core.scheduler.poke()
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
    now = ctx.now()
    async with ctx.db.session() as session:
        schedule = await schedule_for(session, platform, channel_id)
        spec = _spec(ctx, schedule)
        since = await last_covered_to(session, platform, channel_id) or now - spec.lookback
        content = await build_digest(session, spec=spec, since=since, now=now)
    if content.empty:
        return Reply(
            text="Nothing to report right now: no upcoming events, nothing new, no exchanges logged. "
            "A scheduled digest with nothing in it is not posted.",
            private=True,
        )
    preview = content.reply
    preview.text = "Preview (not posted): " + preview.text
    preview.private = True
    return preview


async def _now(ctx: CommandContext, words: list[str]) -> Reply:
    _require_channel(ctx)
    platform, channel_id = _channel(ctx)
    if platform not in ctx.core.transports:
        raise UserError(f"I can't post to {platform} channels from this bot process.")
    async with ctx.db.session() as session:
        schedule = await schedule_for(session, platform, channel_id)
    now = ctx.now()
    outcome = await post_digest(
        ctx.core,
        platform=platform,
        channel_id=channel_id,
        key=manual_period_key(now),
        spec=_spec(ctx, schedule),
    )
    async with ctx.db.session() as session, session.begin():
        await record_audit(
            session,
            ctx.member,
            "digest.now",
            {"platform": platform, "channel_id": channel_id, "outcome": outcome.status},
            at=now,
        )
    ctx.audited = True
    if outcome.status == "posted":
        content = outcome.content
        assert content is not None
        counts = ", ".join(
            f"{count} {noun if count == 1 else noun + 's'}"
            for count, noun in (
                (content.events, "upcoming event"),
                (content.pilots, "new pilot"),
                (content.documents, "new document"),
            )
        )
        return Reply(text=f"Digest posted here: {counts}.", private=True, tone="success")
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
    async with ctx.db.session() as session, session.begin():
        removed = await remove_schedule(session, platform=platform, channel_id=channel_id)
        if removed:
            await record_audit(
                session, ctx.member, "digest.off", {"platform": platform, "channel_id": channel_id}, at=ctx.now()
            )
    ctx.audited = True
    if not removed:
        return Reply(text="This channel had no digest schedule.", private=True)
    return Reply(text="Digests for this channel are off.", private=True, tone="success")


command_with_subcommands(
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
