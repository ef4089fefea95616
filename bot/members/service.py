"""Members: from a platform author to a stored member, and profile changes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.audit import recent_entries
from bot.members.profile import changed_value
from bot.message import Author, Message
from config.errors import UserError
from config.vocabulary import country_name
from knowledge.profiles import sync_member_profile
from storage.lookups import find_by_identity, get_or_create_organisation
from storage.models import AuditEntry, Member, PlatformIdentity

if TYPE_CHECKING:
    from bot.runtime import Runtime


def _is_handle(author: Author) -> bool:
    """True when the platform gave no name, only the login handle (the console's `--as NAME`, a Slack
    profile that could not be read): a handle is never taken as a person's name."""
    return author.display_name.casefold() == author.user_id.casefold()


async def resolve_member(session: AsyncSession, author: Author, *, default_role: str = "member") -> Member:
    """The member behind a platform account, created on first contact.

    Linking is by platform identity only (platform + user id), never by display name: a new account whose
    name matches an existing member's is a new member. An existing member's display name follows the
    platform's name (unless they set one themselves) but is never replaced by a bare login handle."""
    member = await find_by_identity(session, author.platform, author.user_id)
    if member is not None:
        renamed = author.display_name and member.display_name != author.display_name and not _is_handle(author)
        if renamed and not author.is_bot:
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
    try:
        async with session.begin_nested():
            session.add(member)
    except IntegrityError:
        # A second message from the same new person, handled at the same moment (a search and a command, two
        # processes), created them first: this one is theirs too.
        existing = await find_by_identity(session, author.platform, author.user_id)
        if existing is None:
            raise
        return existing
    return member


MAX_ROW_ID = 2**31 - 1


def is_plain_number(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts "²" and other digits `int()` cannot read."""
    return text.isascii() and text.isdigit()


_MENTION = re.compile(r"^<@!?([A-Za-z0-9_.-]+)(?:\|[^>]*)?>$")


def _name_key(name: str) -> str:
    # "camilla-skov", "Camilla  Skov" and "camilla.skov" are one name when matching what someone typed.
    return " ".join(_NAME_SEPARATORS.sub(" ", name).casefold().split())


_NAME_SEPARATORS = re.compile(r"[-_.]")
MAX_NAME_MATCHES = 10
MAX_NAME_CANDIDATES = 500


async def find_referenced_members(session: AsyncSession, message: Message, token: str) -> list[Member]:
    """Every member a name in a command could mean, oldest member first.

    `member:<id>` and a platform mention name one member. A plain name (`@name` or `name`) matches, on the
    message's platform, the account with that user id and every member whose display name is that name or
    starts with it as whole words (`wanjiru` matches "wanjiru" and "Wanjiru Kamau"): when several match, the
    command asks which one rather than guessing."""
    if token in message.mentions:
        author = message.mentions[token]
        found = await find_by_identity(session, author.platform, author.user_id)
        return [found] if found is not None else []
    if token.startswith("member:") and is_plain_number(token[7:]):  # what buttons use: stable across platforms
        member_id = int(token[7:])
        if member_id > MAX_ROW_ID:  # no such row, and too big for the database's integer
            return []
        member = await session.get(Member, member_id, options=[selectinload(Member.identities)])
        return [member] if member is not None else []
    match = _MENTION.match(token)
    if match:
        found = await find_by_identity(session, message.platform, match.group(1))
        return [found] if found is not None else []
    name = token.removeprefix("@").strip()
    key = _name_key(name)
    if not key:
        return []
    first_word = key.split()[0]
    rows = await session.execute(
        select(Member)
        .join(PlatformIdentity)
        .where(PlatformIdentity.platform == message.platform)
        .where(
            (PlatformIdentity.platform_user_id == name)
            # A cheap first cut in SQL (the first typed word starts the name); the exact rule below.
            | func.lower(Member.display_name).startswith(first_word, autoescape=True)
        )
        .options(selectinload(Member.identities))
        .order_by(Member.id)
        .limit(MAX_NAME_CANDIDATES)  # a one-letter name must not load a whole community
    )
    found: list[Member] = []
    for member in rows.scalars().unique():
        display = _name_key(member.display_name)
        by_handle = any(i.platform == message.platform and i.platform_user_id == name for i in member.identities)
        if by_handle or display == key or display.startswith(key + " "):
            found.append(member)
    return found[:MAX_NAME_MATCHES]


async def members_named(core: Runtime, message: Message, token: str) -> list[Member]:
    """`find_referenced_members` in a session of its own."""
    async with core.db.session() as session:
        return await find_referenced_members(session, message, token)


async def find_referenced_member(session: AsyncSession, message: Message, token: str) -> Member | None:
    """The one member a name means, None when it means nobody; AmbiguousMember when it means several."""
    found = await find_referenced_members(session, message, token)
    if len(found) > 1:
        raise AmbiguousMember(token, found)
    return found[0] if found else None


class AmbiguousMember(UserError):
    """A name several members answer to: the answer asks which one, showing what tells them apart
    (`bot.members.views.which_member`). Each candidate is kept as (member id, label), taken while the
    session is open: raising it rolls the transaction back, and the rows go stale."""

    def __init__(self, token: str, candidates: list[Member]) -> None:
        self.token = token
        self.choices = [(member.id, member_label(member)) for member in candidates]
        listed = "\n".join(f"• {label}" for _, label in self.choices)
        super().__init__(
            f"“{token.removeprefix('@')[:40]}” could be {len(candidates)} members:\n{listed}",
            hint="Name the one you mean by its `member:<id>`.",
        )


def member_label(member: Member) -> str:
    """A member as others can tell them apart from a namesake: name, organisation, country and the
    `member:<id>` that picks them in any command, e.g. "Wanjiru Kamau (Nordhavn Municipality, Kenya; member:7)"."""
    organisation = member.organisation.name if member.organisation else None
    known = ", ".join(part for part in (organisation, member.country and country_name(member.country)) if part)
    return f"{member.display_name} ({known + '; ' if known else ''}member:{member.id})"


def effective_role(member: Member, is_config_admin: bool) -> str:
    return "admin" if is_config_admin else member.role


# --- profile changes ------------------------------------------------------------------------------

# How long a save may wait for an already loaded model to embed the profile (it takes milliseconds).
EMBED_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class ProfileChange:
    """One field before and after a change, in words ("—" when empty)."""

    field: str
    before: str
    after: str


async def update_profile(core: Runtime, member_id: int, field: str, value: object) -> ProfileChange:
    """Set one field (None clears it) and keep the member's expert document in step, in one transaction."""
    async with core.db.session() as session, session.begin():
        member = await session.get(Member, member_id)
        assert member is not None
        before = changed_value(field, member)
        if field == "organisation":
            if value:
                organisation = await get_or_create_organisation(
                    session, str(value), sector=member.sector, country=member.country
                )
                member.organisation_id = organisation.id
            else:
                member.organisation_id = None
        elif field == "name":
            if value is None:
                raise UserError("Your name cannot be cleared; set another one instead.")
            member.display_name = str(value)
        elif field in {"expertise", "interests"}:
            setattr(member, field, value or [])
        else:
            setattr(member, field, value)
        await session.flush()
        await session.refresh(member, ["organisation"])
        after = changed_value(field, member)
        # The expert document follows the profile in the same transaction (every process sees it at once).
        indexed = await sync_member_profile(session, member.id)
    core.knowledge.invalidate()  # this process's next search sees the profile at once, not within seconds
    if indexed:  # without the model loaded, the next search (which loads it) embeds the profile
        await core.knowledge.embed_soon_and_wait(EMBED_WAIT_SECONDS)
    return ProfileChange(field, before, after)


# --- the audit log --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditLog:
    """The newest entries with their actors as they are now, and labels for the members they concern."""

    entries: list[tuple[AuditEntry, Member | None]]
    subjects: dict[int, str]


async def audit_log(core: Runtime, count: int) -> AuditLog:
    async with core.db.session() as session:
        entries = await recent_entries(session, count)
        return AuditLog(entries, await _subject_labels(session, [entry for entry, _ in entries]))


async def _subject_labels(session: AsyncSession, entries: list[AuditEntry]) -> dict[int, str]:
    ids = {entry.details.get("subject_member_id") for entry in entries}
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    rows = await session.execute(select(Member).where(Member.id.in_(ids)))
    return {member.id: member_label(member) for member in rows.scalars()}
