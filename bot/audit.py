"""The audit log: who did what, when, for coordinator and admin actions (viewable by admins).

Entries name people by member id only (`actor_member_id`, and `subject_member_id` in the details), so
erasing a member can anonymise every entry about them without reading free text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Member

# How the audit log words an action: from the entry's details and the label of the member it was done to
# ("an erased member" when there is none), what was done ("granted coordinator to Ana (was member)"); None
# for an entry it cannot word, which is then listed by its action and details.
AuditWording = Callable[[dict[str, Any], str], str | None]


class AuditAction(StrEnum):
    """The kernel's own audit action. Each feature declares the actions it writes the same way (a StrEnum of
    the words stored in `audit_log.action`) and words them in its views, registered on its `Feature`."""

    COMMAND = "command"  # a coordinator's or admin's command, audited by the router


def worded_command(details: dict[str, Any], _subject: str) -> str:
    typed = f"{details.get('command', '')} {details.get('arguments', '')}".strip().replace("`", "'")
    return f"`{typed}`" + (f" on {details['platform']}" if details.get("platform") else "")


KERNEL_AUDIT_WORDING: dict[str, AuditWording] = {AuditAction.COMMAND: worded_command}

# The arguments of an audited command are kept for accountability, but never at any length.
MAX_ARGUMENT_CHARS = 200


async def record_audit(
    session: AsyncSession,
    actor: Member | int | None,
    action: StrEnum,
    details: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one audit entry in the caller's transaction. `actor` None means the bot itself."""
    actor_id = actor.id if isinstance(actor, Member) else actor
    entry = AuditEntry(actor_member_id=actor_id, action=action[:80], details=dict(details or {}))
    if at is not None:
        entry.at = at
    session.add(entry)
    await session.flush()
    return entry


def command_details(command_name: str, args_text: str, *, platform: str, channel_id: str) -> dict[str, Any]:
    """What the router records for a coordinator or admin command: the command as typed, shortened."""
    arguments = " ".join(args_text.split())
    if len(arguments) > MAX_ARGUMENT_CHARS:
        arguments = arguments[: MAX_ARGUMENT_CHARS - 1] + "…"
    return {"command": command_name, "arguments": arguments, "platform": platform, "channel": channel_id}


async def recent_entries(session: AsyncSession, limit: int) -> list[tuple[AuditEntry, Member | None]]:
    """The newest entries first, with the actor as they are now (None once erased or for the bot)."""
    rows = await session.execute(
        select(AuditEntry, Member)
        .outerjoin(Member, Member.id == AuditEntry.actor_member_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return [(entry, actor) for entry, actor in rows.all()]


def about_member_clause(member_id: int):
    """Entries a member did, or that were done to them."""
    return (AuditEntry.actor_member_id == member_id) | (
        AuditEntry.details["subject_member_id"].as_integer() == member_id
    )
