"""Members: from a platform author to a stored member, and profile changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import recent_entries
from bot.members.errors import NameCannotBeCleared, NoProfileToConfirm
from bot.members.profile import changed_value
from bot.message import Author

# Naming members in commands lives in the kernel (several features need it); these modules have always
# found it here.
from bot.references import (  # noqa: F401
    MAX_ROW_ID,
    AmbiguousMember,
    find_referenced_member,
    find_referenced_members,
    is_plain_number,
    member_label,
    members_named,
)
from config.typos import typos_of
from config.vocabulary import Role
from knowledge.ingested_experts import confirm_link
from knowledge.profiles import sync_member_profile
from knowledge.version import bump_version
from storage.lookups import find_by_identity, get_or_create_organisation, held_member, organisation_key
from storage.models import AuditEntry, Member, Organisation, PlatformIdentity

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
        _follow_platform(member, author)
        return member
    return await _first_contact(session, author, default_role)


def has_platform_news(member: Member, author: Author) -> bool:
    """Whether `resolve_member` would change the member for this message (`_follow_platform`): a new platform
    name to take, or a first timezone."""
    if author.timezone and not member.timezone:
        return True
    renamed = author.display_name and member.display_name != author.display_name and not _is_handle(author)
    if not renamed or author.is_bot:
        return False
    identity = next((i for i in member.identities if i.platform == author.platform), None)
    return identity is None or identity.display_name == member.display_name or identity.display_name != author.display_name


def _follow_platform(member: Member, author: Author) -> None:
    """The platform's current name and, when the member has none, its timezone."""
    renamed = author.display_name and member.display_name != author.display_name and not _is_handle(author)
    if renamed and not author.is_bot:
        _take_platform_name(member, author)
    if author.timezone and not member.timezone:
        member.timezone = author.timezone


def _take_platform_name(member: Member, author: Author) -> None:
    # Keep the platform's current display name, but never overwrite a name the member set.
    identity = next(i for i in member.identities if i.platform == author.platform)
    if identity.display_name == member.display_name:
        member.display_name = author.display_name
    identity.display_name = author.display_name


async def _first_contact(session: AsyncSession, author: Author, default_role: str) -> Member:
    """A new member for the account, or the one a concurrent first message created."""
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




def effective_role(member: Member, is_config_admin: bool) -> Role:
    return Role.ADMIN if is_config_admin else Role.held(member.role)


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
        # The row first: an edit of another field at the same moment (a second process, a double submit)
        # waits, so this one reads the profile as that one left it, and the expert document gets both.
        member = await held_member(session, member_id)
        before = changed_value(field, member)
        await _set_field(session, member, field, value)
        await session.flush()
        await session.refresh(member, ["organisation"])
        after = changed_value(field, member)
        # The expert document follows the profile in the same transaction (every process sees it at once).
        indexed = await sync_member_profile(session, member.id)
    core.knowledge.index.invalidate()  # this process's next search sees the profile at once, not within seconds
    if indexed:  # without the model loaded, the next search (which loads it) embeds the profile
        await core.knowledge.model.embed_soon_and_wait(EMBED_WAIT_SECONDS)
    return ProfileChange(field, before, after)


async def _set_field(session: AsyncSession, member: Member, field: str, value: object) -> None:
    if field == "organisation":
        await _set_organisation(session, member, value)
    elif field == "name":
        if value is None:
            raise NameCannotBeCleared()
        member.display_name = str(value)
    elif field in {"expertise", "interests"}:
        setattr(member, field, value or [])
    else:
        setattr(member, field, value)


async def organisations_named_like(core: Runtime, name: str, *, limit: int = 3) -> list[str]:
    """Existing organisations `name` may be a typo of ("Nordhavn Municipalty"), closest first; none when an
    organisation of exactly that name exists. A typo must not become a second organisation: exchanges
    between its members would count as across organisations."""
    key = organisation_key(name)
    async with core.db.session() as session:
        rows = (await session.execute(
            select(Organisation.name, Organisation.name_key).where(Organisation.name_key.startswith(key[:1], autoescape=True))
        )).all()
    if any(row.name_key == key for row in rows):
        return []
    close = typos_of(key, [row.name_key for row in rows])
    names = {row.name_key: row.name for row in rows}
    return [names[found] for found in close[:limit]]


async def _set_organisation(session: AsyncSession, member: Member, value: object) -> None:
    if value:
        organisation = await get_or_create_organisation(
            session, str(value), sector=member.sector, country=member.country
        )
        member.organisation_id = organisation.id
    else:
        member.organisation_id = None


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


async def confirm_expert_profile(core: Runtime, member_id: int, profile_id: str) -> str:
    """The member confirms that an ingested expert profile naming their account is theirs: it is linked
    (found as them by `experts`, with an "Introduce me" button) and they become an expert. Returns its title."""
    async with core.db.session() as session, session.begin():
        member = await held_member(session, member_id)
        document = await confirm_link(session, member, profile_id)
        if document is None:
            raise NoProfileToConfirm(profile_id[:100])
        title = document.title
        await bump_version(session)
    core.knowledge.index.invalidate()
    return title
