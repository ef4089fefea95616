"""`audit [n]`: the newest audit-log entries (coordinator and admin actions), for admins."""

from __future__ import annotations

from sqlalchemy import select

from bot.audit import recent_entries
from bot.commands import command
from bot.digest_schedule import DigestSpec
from bot.context import CommandContext
from bot.errors import UserError
from bot.members import is_plain_number, member_label
from bot.reply import Reply, Section
from bot.tables import text_table
from storage.models import AuditEntry, Member

DEFAULT_ENTRIES = 20
MAX_ENTRIES = 200
ENTRIES_PER_SECTION = 10


@command(
    "audit",
    summary="Show the newest audit-log entries (who did what, when)",
    usage="audit [number]",
    help=(
        "Every coordinator and admin command, and every role change, is written to the audit log with who "
        f"did it and when. Shows the newest {DEFAULT_ENTRIES} entries, or up to {MAX_ENTRIES}. People are "
        "shown by their current name; an erased member shows as “an erased member”."
    ),
    examples=("audit", "audit 50"),
    role="admin",
)
async def audit(ctx: CommandContext) -> Reply:
    args = ctx.args
    count = DEFAULT_ENTRIES
    if args:
        if len(args) != 1 or not is_plain_number(args[0]) or not 1 <= int(args[0]) <= MAX_ENTRIES:
            raise UserError(f"Give a number of entries from 1 to {MAX_ENTRIES}, for example `audit 50`.")
        count = int(args[0])
    async with ctx.db.session() as session:
        entries = await recent_entries(session, count)
        subjects = await _subject_labels(session, [entry for entry, _ in entries])
    if not entries:
        return Reply(text="The audit log is empty.", private=True)
    rows = [_row(entry, actor, subjects) for entry, actor in entries]
    # Each section is a table of its own with the header: pages split between sections.
    sections = [
        Section(text=text_table(HEADER, rows[start : start + ENTRIES_PER_SECTION]))
        for start in range(0, len(rows), ENTRIES_PER_SECTION)
    ]
    return Reply(text=f"Audit log, newest first ({len(rows)} entries):", sections=sections, private=True)


async def _subject_labels(session, entries: list[AuditEntry]) -> dict[int, str]:
    ids = {entry.details.get("subject_member_id") for entry in entries}
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    rows = await session.execute(select(Member).where(Member.id.in_(ids)))
    return {member.id: member_label(member) for member in rows.scalars()}


HEADER = ("When (UTC)", "Who", "What")


def _row(entry: AuditEntry, actor: Member | None, subjects: dict[int, str]) -> tuple[str, str, str]:
    when = entry.at.strftime("%Y-%m-%d %H:%M")
    # Labels with organisation and member id: two members of one name are told apart.
    who = member_label(actor) if actor else ("an erased member" if entry.details.get("actor_erased") else "Lighthouse")
    return when, who, _describe(entry, subjects)


def _describe(entry: AuditEntry, subjects: dict[int, str]) -> str:
    details = entry.details or {}
    subject_id = details.get("subject_member_id")
    subject = subjects.get(subject_id, f"member:{subject_id}") if isinstance(subject_id, int) else "an erased member"
    if entry.action == "role.grant":
        return f"granted {details.get('role')} to {subject} (was {details.get('previous_role')})"
    if entry.action == "role.revoke":
        return f"revoked {details.get('role')} from {subject}"
    if entry.action == "command":
        typed = f"{details.get('command', '')} {details.get('arguments', '')}".strip().replace("`", "'")
        return f"`{typed}`" + (f" on {details['platform']}" if details.get("platform") else "")
    if entry.action == "member.erased":
        return "a member erased their data"
    if entry.action.startswith("digest."):
        where = f"the digest of {details.get('platform', '?')} channel {details.get('channel_id', '?')}"
        if entry.action == "digest.schedule":
            spec = DigestSpec.from_signature(str(details.get("schedule", "")))
            return f"scheduled {where} {spec.describe() if spec else details.get('schedule')}"
        if entry.action == "digest.now":
            return f"posted {where} now ({details.get('outcome', 'no outcome recorded')})"
        if entry.action == "digest.off":
            return f"switched off {where}"
    if entry.action.startswith("event.") and "event_id" in details:
        done = {"event.add": "added", "event.edit": "edited", "event.cancel": "cancelled"}.get(entry.action)
        if done:
            changed = details.get("changed")
            return f"{done} event #{details['event_id']}" + (f" ({', '.join(changed)})" if changed else "")
    extra = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in sorted(details.items()))
    return entry.action.replace(".", " ").replace("_", " ") + (f" ({extra})" if extra else "")
