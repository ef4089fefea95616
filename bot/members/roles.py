"""Roles: who may do what, who grants it, and how a refusal explains that.

Admins come from configuration (`LIGHTHOUSE_ADMINS`, as platform:user-id); admins grant and revoke the
expert and coordinator roles by command. A member holds one stored role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import record_audit
from bot.members.service import find_referenced_member
from bot.message import Message
from config import Settings
from config.errors import UserError
from storage.lookups import find_by_identity
from storage.models import Member

if TYPE_CHECKING:
    from bot.reply import (
        Reply,  # only the type the notices return: the words are the views'
    )
    from bot.runtime import Runtime


class RoleAudit(StrEnum):
    """The audit actions of role changes (worded by `bot.members.views`)."""

    GRANT = "role.grant"
    REVOKE = "role.revoke"


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


async def admin_names(core: Runtime) -> list[str]:
    async with core.db.session() as session:
        return await known_admin_names(session, core.settings)


async def role_holders(core: Runtime) -> tuple[list[str], list[Member]]:
    """(the admins who have talked to the bot, every member holding a role above member)."""
    async with core.db.session() as session:
        return await known_admin_names(session, core.settings), await members_with_roles(session)


@dataclass(frozen=True)
class RoleChange:
    member: Member
    action: str  # "grant" or "revoke"
    role: str
    previous: str


class RoleNotices(Protocol):
    """The direct message that tells a member their role changed; `bot.members.views` words it."""

    def role_changed(self, change: RoleChange) -> Reply: ...


async def change_role(
    core: Runtime, actor: Member, message: Message, action: str, who: str, new_role: str, notices: RoleNotices
) -> RoleChange:
    """Grant or revoke `new_role`, audited in the same transaction, then tell the member (a delivery that
    fails leaves the change standing). AmbiguousMember when `who` names several members."""
    if new_role == "admin":
        raise UserError(
            "Admins are set in the bot's configuration (LIGHTHOUSE_ADMINS), not by command.",
            hint="Ask whoever runs Lighthouse to add the account there.",
        )
    if new_role not in GRANTABLE_ROLES:
        raise UserError(
            f"“{new_role[:30]}” is not a role I can {action}.", hint=f"Roles: {', '.join(GRANTABLE_ROLES)}."
        )
    async with core.db.session() as session, session.begin():
        target = await find_referenced_member(session, message, who)
        if target is None or target.is_bot:
            raise UserError(
                f"I don't know “{who[:40]}”.",
                hint=(
                    "Name them with an @mention, their display name or `member:<id>`; "
                    "they must have talked to me once."
                ),
            )
        target = await session.get(Member, target.id)
        assert target is not None
        previous = target.role
        target.role = _role_after(target, action, new_role)
        await record_audit(
            session,
            actor.id,
            RoleAudit(f"role.{action}"),
            {"subject_member_id": target.id, "role": new_role, "previous_role": previous},
            at=core.clock.now(),
        )
    change = RoleChange(target, action, new_role, previous)
    await core.tell(target, notices.role_changed(change))  # the change stands even if it cannot be delivered
    return change


def _role_after(target: Member, action: str, new_role: str) -> str:
    """The member's role once `new_role` is granted or revoked; UserError when that changes nothing."""
    previous = target.role
    if action == "grant":
        if previous == new_role:
            raise UserError(f"{target.display_name} is already {a_role(new_role)}.")
        return new_role
    if previous != new_role:
        raise UserError(f"{target.display_name} is not {a_role(new_role)} (their role is {previous}).")
    return "member"


def a_role(role_name: str) -> str:
    """"an expert", "a coordinator"."""
    return f"{'an' if role_name[:1] in 'aeiou' else 'a'} {role_name}"


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
