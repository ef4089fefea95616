"""Roles: who may do what, who grants it, and how a refusal explains that.

Admins come from configuration (`LIGHTHOUSE_ADMINS`, as platform:user-id); admins grant and revoke the
expert and coordinator roles by command. A member holds one stored role.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config import Settings
from storage.lookups import find_by_identity
from storage.models import Member

GRANTABLE_ROLES: tuple[str, ...] = ("expert", "coordinator")
ROLE_PURPOSE = {
    "member": "use every everyday command",
    "expert": "marks a person others can ask; grants nothing beyond member",
    "coordinator": "run community work: events, digests, indicators",
    "admin": "grant roles and read the audit log (set in the bot's configuration)",
}


async def known_admin_names(session: AsyncSession, settings: Settings) -> list[str]:
    """Display names of configured admins who have talked to the bot, as "Name (platform)"."""
    names: list[str] = []
    for entry in settings.admins:
        platform, _, user_id = entry.partition(":")
        if not user_id:
            continue
        member = await find_by_identity(session, platform, user_id)
        if member is not None and not member.is_bot:
            names.append(f"{member.display_name} ({platform})")
    return sorted(set(names), key=str.lower)


async def members_with_roles(session: AsyncSession) -> list[Member]:
    result = await session.execute(
        select(Member).where(Member.role != "member").order_by(Member.role, Member.display_name)
    )
    return list(result.scalars().all())


def who_grants(needed: str, admin_names: list[str]) -> str:
    """One sentence saying who can give someone the `needed` role, and how to find them."""
    if needed == "admin":
        where = "Admin rights are set in the bot's configuration (LIGHTHOUSE_ADMINS) by whoever runs Lighthouse"
        if admin_names:
            return f"{where}; the admins are {', '.join(admin_names)}."
        return f"{where}; ask them."
    grant = f"An admin can grant it with `role grant <member> {needed}`"
    if admin_names:
        return f"{grant}; ask one of: {', '.join(admin_names)}."
    return f"{grant}; ask whoever runs Lighthouse (type `role` to see who the admins are)."


def refusal(command_label: str, needed: str, current: str, admin_names: list[str]) -> str:
    article = "an" if current[:1] in "aeiou" else "a"
    return f"`{command_label}` needs the {needed} role; you are {article} {current}. {who_grants(needed, admin_names)}"
