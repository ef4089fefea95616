"""How digests look in chat: the digest posted to a channel, and the channel's schedule and recent runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.audit import AuditWording
from bot.community.views import safe_text as neutral
from bot.digests.schedule import DigestSpec, describe_period
from bot.digests.service import MAX_EVENTS, MAX_ITEMS, DigestAudit, DigestContent
from bot.events.views import event_section
from bot.reply import Field, Reply, Section
from storage.models import DigestRun


def digest_message(content: DigestContent) -> Reply:
    """The digest as posted: times in the channel's zone (the schedule's), the first few items of each kind."""
    zone = content.spec.timezone
    events, pilots, documents = content.events, content.pilots, content.documents
    local_now = content.now.astimezone(ZoneInfo(zone))
    sections: list[Section] = []
    if events:
        sections.append(Section(title=f"Upcoming events (next {content.spec.horizon.days} days)"))
        sections.extend(event_section(event, zone) for event in events[:MAX_EVENTS])
        if len(events) > MAX_EVENTS:
            sections.append(Section(context=f"…and {len(events) - MAX_EVENTS} more: `event list`."))
    if pilots:
        lines = [
            f"• {pilot.title}"
            + (f" ({', '.join(pilot.countries)})" if pilot.countries else "")
            + (f" — {pilot.url}" if pilot.url else "")
            for pilot in pilots[:MAX_ITEMS]
        ]
        sections.append(Section(title=f"New pilots ({len(pilots)})", text="\n".join(lines)))
    if documents:
        lines = [
            f"• {document.title} ({document.kind})" + (f" — {document.url}" if document.url else "")
            for document in documents[:MAX_ITEMS]
        ]
        sections.append(Section(title=f"New in the knowledge base ({len(documents)})", text="\n".join(lines)))
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


def _community_sections(content: DigestContent) -> list[Section]:
    """Open questions to the community (answer them!) and the period's community figures."""
    sections = []
    if content.open_questions:
        shown = content.open_questions[:MAX_ITEMS]
        lines = []
        for question in shown:
            text = " ".join(question.text.split())
            text = text if len(text) <= 100 else text[:100].rsplit(" ", 1)[0] + "…"
            answers = f"{question.answers} answer{'s' if question.answers != 1 else ''}"
            lines.append(f"• #{question.question_id} {neutral(text)} ({answers})")
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
