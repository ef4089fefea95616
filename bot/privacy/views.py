"""What `privacy` says: what is held and why, consent changes, the export, and the erasure steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.audit import AuditWording
from bot.pagination import PAGE_TTL
from bot.privacy.consent import CONSENT_FLAGS, ConsentFlag
from bot.privacy.erasure import ERASE_CONFIRMATION_TTL, ErasureReport, PrivacyAudit
from bot.privacy.errors import AlreadyErased, ConfirmationInvalid, PrivacyRefused
from bot.privacy.service import Overview
from bot.reply import Attachment, Button, Field, Reply, Section
from config.errors import RefusalWording, WordedError


def explanation(overview: Overview) -> Reply:
    member, held = overview.member, overview.held
    platforms = ", ".join(sorted(set(held.identities))) or "—"
    stored = [
        Field(
            "Your profile",
            "name, organisation, sector, country, time zone, expertise, interests and bio as you set them — "
            "so others can find the right person, and so I can count exchanges across organisations, "
            "sectors and countries.",
        ),
        Field(
            "Your chat accounts",
            f"{platforms}: the account id and display name — so I recognise you and can send you messages.",
        ),
        Field(
            f"Introductions ({held.introductions})",
            "who asked whom, your reason when you asked, the answer and dates — to broker the introduction and "
            "follow it up.",
        ),
        Field(
            f"Exchanges linked to you ({held.exchanges})",
            "when, where (platform and channel) and the organisations, sectors and countries involved — never "
            "what was said — to measure knowledge transfer.",
        ),
        Field(
            f"Questions and answers to the community ({held.community_posts})",
            "their text as you wrote it, when, and your organisation, sector and country — so members can read "
            "and answer them; an answer you let me keep is also in the knowledge base, with your name.",
        ),
        Field(
            f"Answers you can page through ({held.answer_pages})",
            f"the later pages of my answers to you, each with the question it answers — so `more` can show "
            f"them; deleted after {PAGE_TTL.days} days.",
        ),
        Field(f"Event replies ({held.rsvps})", "which events you said you'd attend — for reminders and counts."),
        Field(f"Events you organise ({held.events_organised})", "title, time and place, shown to everyone."),
        Field(
            f"Audit log ({held.audit_entries})",
            "entries by or about you — coordinator and admin actions are logged for accountability.",
        ),
        Field(
            "Knowledge base",
            (
                ("your expert profile is searchable." if member.consent_expert_search
                 else "your expert profile is hidden while expert search is off.")
                if held.expert_documents
                else "no expert profile of yours (set your expertise with `profile set expertise ...` to be found)."
            ),
        ),
    ]
    flags = [
        Field(f"{flag.label}: {'on' if getattr(member, flag.column) else 'off'}", f"{flag.meaning}.")
        for flag in CONSENT_FLAGS.values()
    ]
    return Reply(
        text="I keep no record of your conversations, only what is listed here: the text you post to the "
        f"community, as you wrote it, and for {PAGE_TTL.days} days the later pages of my answers to you, with "
        "the question each answers.",
        sections=[
            Section(title="What I store about you, and why", fields=stored),
            Section(
                title="Your consent",
                fields=flags,
                context=f"Change one with `privacy consent <{'|'.join(CONSENT_FLAGS)}> on|off`.",
            ),
            Section(
                title="Your rights",
                text=(
                    "• `privacy export` — all your data as a file in a direct message\n"
                    "• `privacy erase` — delete your profile and accounts (asks you to confirm)\n"
                    "• `profile clear <field>` — remove one field\n"
                    "Long answers are kept for 14 days so the “More” button works; then they are deleted."
                ),
            ),
        ],
        private=True,
    )


def consent_changed(flag: ConsentFlag, value: bool, unlinked: int) -> Reply:
    text = f"{flag.label} is now {'on' if value else 'off'}: {flag.meaning if value else 'no longer so'}."
    if not value and flag.name in _SWITCHED_OFF:
        text = _SWITCHED_OFF[flag.name](unlinked)
    return Reply(text=text, tone="success", private=True)


# What switching a consent off means, in the member's terms (given how many earlier records lost their name).
_SWITCHED_OFF: dict[str, Callable[[int], str]] = {
    "exchange-logging": lambda unlinked: (
        "Exchange logging is now off: new exchanges count only your organisation, sector and country, "
        f"anonymously. {unlinked} earlier exchange record(s) no longer carry your name."
    ),
    "expert-search": lambda _: "Expert search is now off: you no longer appear when people search for experts.",
    "introductions": lambda _: "Introductions are now off: nobody can ask me to introduce them to you.",
}


def export(member_id: int, content: bytes, now: datetime) -> Reply:
    attachment = Attachment(
        filename=f"lighthouse-data-{member_id}-{now:%Y%m%d}.json",
        content=content,
        mime_type="application/json",
    )
    return Reply(
        text=(
            "Here is everything I store about you, as JSON: your profile, accounts, introductions, event replies, "
            "exchange records and audit entries about you. Other people appear only by name and organisation."
        ),
        attachments=[attachment],
        direct=True,
        private=True,
    )


def confirm_erasure(token: str) -> Reply:
    minutes = int(ERASE_CONFIRMATION_TTL.total_seconds() // 60)
    return Reply(
        text=(
            "This deletes your profile, your chat accounts' link to me, your event replies and your expert "
            "profile in the knowledge base. Introductions and exchanges you took part in stay only as anonymous "
            "counts (organisation, sector, country), without your name or anything you wrote. "
            f"It cannot be undone. The button works for {minutes} minutes; you may want `privacy export` first."
        ),
        buttons=[Button("Erase my data", f"privacy erase confirm {token}", style="danger")],
        private=True,
        tone="warning",
    )


def erased(report: ErasureReport) -> Reply:
    return Reply(
        text=(
            "Your data is erased: profile and accounts deleted, "
            f"{report.rsvps_deleted} event repl{'y' if report.rsvps_deleted == 1 else 'ies'} deleted, "
            f"{report.introductions_anonymised} introduction(s) and {report.exchanges_anonymised} exchange(s) "
            "kept only as anonymous counts. If you write to me again, I start a new, empty profile."
        ),
        tone="success",
        private=True,
    )


AUDIT_WORDING: dict[str, AuditWording] = {PrivacyAudit.ERASED: lambda _details, _subject: "a member erased their data"}


def refusal(error: PrivacyRefused) -> tuple[str, str | None]:
    """The message and hint for what the privacy service refused."""
    match error:
        case ConfirmationInvalid():
            return (
                "That confirmation is not valid for you or has expired; nothing was erased.",
                "Type `privacy erase` to get a fresh button.",
            )
        case AlreadyErased():
            return (
                "Your data was already erased with this button; nothing more was done.",
                "Like any message after an erasure, this press started a new, empty profile; "
                "`privacy erase` removes it too.",
            )
    raise AssertionError(f"no wording for {error!r}")


REFUSALS: dict[type[WordedError], RefusalWording] = {PrivacyRefused: refusal}
