"""How digests look in chat: the digest posted to a channel (the service's `DigestNotices`), the channel's
schedule and recent runs, and the answers to `digest` commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.audit import AuditWording
from bot.digests.content import MAX_EVENTS, MAX_ITEMS, DigestContent, NewPilot, OpenQuestion
from bot.digests.schedule import SYNTAX, DigestSpec, describe_period
from bot.digests.service import DigestAudit, DigestNotices, DigestOutcome, DigestStatus
from bot.events.views import event_section
from bot.reply import Field, Reply, Section
from bot.sanitize import safe_text as neutral
from config.errors import UserError
from storage.models import DigestRun


def digest_message(content: DigestContent) -> Reply:
    """The digest as posted: times in the channel's zone (the schedule's), the first few items of each kind."""
    zone = content.spec.timezone
    local_now = content.now.astimezone(ZoneInfo(zone))
    sections = _event_sections(content) + _pilot_sections(content) + _document_sections(content)
    if content.indicators:
        sections.append(
            Section(
                title="Knowledge transfer since the last digest",
                fields=[Field(figure.label, figure.value) for figure in content.indicators],
            )
        )
    sections.extend(_community_sections(content))
    local_since = content.since.astimezone(ZoneInfo(zone))
    sections.append(
        Section(
            context=f"New items since {local_since.day} {local_since:%b %Y %H:%M}. Times in {zone}; "
            "`event list` shows them in your own time zone."
        )
    )
    return Reply(text=f"Lighthouse digest · {local_now:%A} {local_now.day} {local_now:%B %Y}", sections=sections)


def _event_sections(content: DigestContent) -> list[Section]:
    events, zone = content.events, content.spec.timezone
    if not events:
        return []
    sections = [Section(title=f"Upcoming events (next {content.spec.horizon.days} days)")]
    sections.extend(event_section(event, zone) for event in events[:MAX_EVENTS])
    if len(events) > MAX_EVENTS:
        sections.append(Section(context=f"…and {len(events) - MAX_EVENTS} more: `event list`."))
    return sections


def _pilot_line(pilot: NewPilot) -> str:
    return (
        f"• {pilot.title}"
        + (f" ({', '.join(pilot.countries)})" if pilot.countries else "")
        + (f" — {pilot.url}" if pilot.url else "")
    )


def _pilot_sections(content: DigestContent) -> list[Section]:
    pilots = content.pilots
    if not pilots:
        return []
    lines = [_pilot_line(pilot) for pilot in pilots[:MAX_ITEMS]]
    return [Section(title=f"New pilots ({len(pilots)})", text="\n".join(lines))]


def _document_sections(content: DigestContent) -> list[Section]:
    documents = content.documents
    if not documents:
        return []
    lines = [
        f"• {document.title} ({document.kind})" + (f" — {document.url}" if document.url else "")
        for document in documents[:MAX_ITEMS]
    ]
    return [Section(title=f"New in the knowledge base ({len(documents)})", text="\n".join(lines))]


def _question_line(question: OpenQuestion) -> str:
    text = " ".join(question.text.split())
    text = text if len(text) <= 100 else text[:100].rsplit(" ", 1)[0] + "…"
    answers = f"{question.answers} answer{'s' if question.answers != 1 else ''}"
    return f"• #{question.question_id} {neutral(text)} ({answers})"


def _community_sections(content: DigestContent) -> list[Section]:
    """Open questions to the community (answer them!) and the period's community figures."""
    sections = []
    if content.open_questions:
        shown = content.open_questions[:MAX_ITEMS]
        lines = [_question_line(question) for question in shown]
        more = " …and more: `community`." if len(content.open_questions) > MAX_ITEMS else ""
        sections.append(Section(
            title="Open questions to the community",
            text="\n".join(lines),
            context=f"Know something? `community answer ID <your answer>`, or reply in the question's thread.{more}",
        ))
    if content.community:
        sections.append(Section(title="Asking the community since the last digest",
                                fields=[Field(figure.label, figure.value) for figure in content.community]))
    return sections


def posted_counts(content: DigestContent) -> str:
    """ "2 upcoming events, 1 new pilot, 0 new documents"."""
    return ", ".join(
        f"{count} {noun if count == 1 else noun + 's'}"
        for count, noun in (
            (len(content.events), "upcoming event"),
            (len(content.pilots), "new pilot"),
            (len(content.documents), "new document"),
        )
    )


def describe_run(run: DigestRun, zone: str) -> str:
    when = run.claimed_at.astimezone(ZoneInfo(zone))
    state = {
        "posted": "posted",
        "claimed": "outcome not recorded (the bot stopped while posting); not resent",
        "failed": "failed",
        "skipped": "skipped",
    }.get(run.status, run.status)
    detail = f" — {run.detail}" if run.detail and run.status != "claimed" else ""
    return f"• {describe_period(run.period_key)}: {state}, {when:%a} {when.day} {when:%b %H:%M}{detail}"


def next_slot_text(slot: datetime, zone: str) -> str:
    local = slot.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {zone}"


def _digest_of(details: dict[str, Any]) -> str:
    return f"the digest of {details.get('platform', '?')} channel {details.get('channel_id', '?')}"


def _worded_schedule(details: dict[str, Any], _subject: str) -> str:
    spec = DigestSpec.from_signature(str(details.get("schedule", "")))
    return f"scheduled {_digest_of(details)} {spec.describe() if spec else details.get('schedule')}"


AUDIT_WORDING: dict[str, AuditWording] = {
    DigestAudit.SCHEDULE: _worded_schedule,
    DigestAudit.NOW: lambda details, _subject: (
        f"posted {_digest_of(details)} now ({details.get('outcome', 'no outcome recorded')})"
    ),
    DigestAudit.OFF: lambda details, _subject: f"switched off {_digest_of(details)}",
}


class DigestWording:
    """The digest as the service posts it; `NOTICES` is the one the commands pass in."""

    def digest_message(self, content: DigestContent) -> Reply:
        return digest_message(content)


NOTICES: DigestNotices = DigestWording()


# --- answers to `digest` commands -----------------------------------------------------------------


def status(status: DigestStatus) -> Reply:
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


def schedule_set(spec: DigestSpec, slot: datetime) -> Reply:
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


def preview(content: DigestContent) -> Reply:
    if content.empty:
        return Reply(
            text="Nothing to report right now: no upcoming events, nothing new, no exchanges logged. "
            "A scheduled digest with nothing in it is not posted.",
            private=True,
        )
    shown = digest_message(content)
    shown.text = "Preview (not posted): " + shown.text
    shown.private = True
    return shown


def cannot_post_from_here(platform: str) -> UserError:
    return UserError(f"I can't post to {platform} channels from this bot process.")


def posted_now(outcome: DigestOutcome) -> Reply:
    """The answer to `digest now`; a failed post is answered as an error."""
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


def schedule_removed(removed: bool) -> Reply:
    if not removed:
        return Reply(text="This channel had no digest schedule.", private=True)
    return Reply(text="Digests for this channel are off.", private=True, tone="success")
