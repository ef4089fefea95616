"""Members: from a platform author to a stored member, and profile changes."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.message import Author, Message
from storage.models import Member, Organisation, PlatformIdentity


def organisation_key(name: str) -> str:
    # Lower-casing can lengthen text ("İ" becomes two code points): keep within the column.
    return " ".join(name.lower().split())[:200]


async def resolve_member(session: AsyncSession, author: Author, *, default_role: str = "member") -> Member:
    """The member behind a platform account, created on first contact."""
    member = await find_by_identity(session, author.platform, author.user_id)
    if member is not None:
        if author.display_name and member.display_name != author.display_name and not author.is_bot:
            # Keep the platform's current display name, but never overwrite a name the member set.
            identity = next(i for i in member.identities if i.platform == author.platform)
            if identity.display_name == member.display_name:
                member.display_name = author.display_name
            identity.display_name = author.display_name
        if author.timezone and not member.timezone:
            member.timezone = author.timezone
        return member
    member = Member(
        display_name=author.display_name or author.user_id,
        timezone=author.timezone,
        role=default_role,
        is_bot=author.is_bot,
        expertise=[],
        interests=[],
        organisation=None,  # loaded as "none", so the detached member can be read after commit
    )
    member.identities.append(
        PlatformIdentity(platform=author.platform, platform_user_id=author.user_id, display_name=author.display_name)
    )
    session.add(member)
    await session.flush()
    return member


async def find_by_identity(session: AsyncSession, platform: str, user_id: str) -> Member | None:
    result = await session.execute(
        select(Member)
        .join(PlatformIdentity)
        .where(PlatformIdentity.platform == platform, PlatformIdentity.platform_user_id == user_id)
        .options(selectinload(Member.identities))
    )
    return result.scalars().first()


MAX_ROW_ID = 2**31 - 1


def is_plain_number(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts "²" and other digits `int()` cannot read."""
    return text.isascii() and text.isdigit()


_MENTION = re.compile(r"^<@!?([A-Za-z0-9_.-]+)(?:\|[^>]*)?>$")


async def find_referenced_member(session: AsyncSession, message: Message, token: str) -> Member | None:
    """The member a user names in a command: `member:<id>`, a platform mention, `@name`, or a plain name."""
    if token in message.mentions:
        author = message.mentions[token]
        return await find_by_identity(session, author.platform, author.user_id)
    if token.startswith("member:") and is_plain_number(token[7:]):  # what buttons use: stable across platforms
        member_id = int(token[7:])
        if member_id > MAX_ROW_ID:  # no such row, and too big for the database's integer
            return None
        member = await session.get(Member, member_id, options=[selectinload(Member.identities)])
        return member
    match = _MENTION.match(token)
    if match:
        return await find_by_identity(session, message.platform, match.group(1))
    name = token.removeprefix("@").strip()
    if not name:
        return None
    by_id = await find_by_identity(session, message.platform, name)
    if by_id is not None:
        return by_id
    result = await session.execute(
        select(Member)
        .join(PlatformIdentity)
        .where(PlatformIdentity.platform == message.platform)
        .where(func.lower(Member.display_name) == name.lower())
        .options(selectinload(Member.identities))
    )
    return result.scalars().first()


async def get_or_create_organisation(
    session: AsyncSession, name: str, *, sector: str | None = None, country: str | None = None
) -> Organisation:
    key = organisation_key(name)
    organisation = (await session.execute(select(Organisation).where(Organisation.name_key == key))).scalar_one_or_none()
    if organisation is None:
        organisation = Organisation(name=" ".join(name.split()), name_key=key, sector=sector, country=country)
        session.add(organisation)
        await session.flush()
    else:
        organisation.sector = organisation.sector or sector
        organisation.country = organisation.country or country
    return organisation


def effective_role(member: Member, is_config_admin: bool) -> str:
    return "admin" if is_config_admin else member.role
