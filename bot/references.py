"""Naming a member in a command: `@name`, a display name, a platform mention or `member:<id>`.

Kernel, because several features take members by name (introductions, roles, event attendance).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.ids import MAX_ROW_ID, is_plain_number
from bot.message import Message
from config.errors import UserError
from config.typos import edit_distance, typos_of
from config.vocabulary import country_name
from storage.lookups import find_by_identity
from storage.models import Member, PlatformIdentity

if TYPE_CHECKING:
    from bot.runtime import Runtime


_MENTION = re.compile(r"^<@!?([A-Za-z0-9_.-]+)(?:\|[^>]*)?>$")


def _name_key(name: str) -> str:
    # "camilla-skov", "Camilla  Skov" and "camilla.skov" are one name when matching what someone typed.
    return " ".join(_NAME_SEPARATORS.sub(" ", name).casefold().split())


_NAME_SEPARATORS = re.compile(r"[-_.]")
MAX_NAME_MATCHES = 10
MAX_NAME_CANDIDATES = 500
MAX_NAME_WORDS = 8  # the longest display name a command looks for at the start of free text
MAX_NEAR_NAMES = 3  # "did you mean" members for a name nobody has


async def find_referenced_members(session: AsyncSession, message: Message, token: str) -> list[Member]:
    """Every member a name in a command could mean, oldest member first.

    `member:<id>` and a platform mention name one member. A plain name (`@name` or `name`) matches, on the
    message's platform, the account with that user id and every member whose display name is that name or
    starts with it as whole words (`wanjiru` matches "wanjiru" and "Wanjiru Kamau"): when several match, the
    command asks which one rather than guessing."""
    if token in message.mentions:
        author = message.mentions[token]
        return _listed(await find_by_identity(session, author.platform, author.user_id))
    if token.startswith("member:") and is_plain_number(token[7:]):  # what buttons use: stable across platforms
        return _listed(await _member_by_id(session, int(token[7:])))
    match = _MENTION.match(token)
    if match:
        return _listed(await find_by_identity(session, message.platform, match.group(1)))
    return await _members_by_name(session, message, token.removeprefix("@").strip())


def _listed(member: Member | None) -> list[Member]:
    return [member] if member is not None else []


async def _member_by_id(session: AsyncSession, member_id: int) -> Member | None:
    if member_id > MAX_ROW_ID:  # no such row, and too big for the database's integer
        return None
    return await session.get(Member, member_id, options=[selectinload(Member.identities)])


async def _members_by_name(session: AsyncSession, message: Message, name: str) -> list[Member]:
    """The account with that user id on the message's platform, and the members whose display name is the
    name or starts with it as whole words."""
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
    found = [member for member in rows.scalars().unique() if _answers_to(member, message.platform, name, key)]
    return found[:MAX_NAME_MATCHES]


def _answers_to(member: Member, platform: str, name: str, key: str) -> bool:
    display = _name_key(member.display_name)
    by_handle = any(i.platform == platform and i.platform_user_id == name for i in member.identities)
    return by_handle or display == key or display.startswith(key + " ")


def names_one_member(message: Message, token: str) -> bool:
    """A platform mention or `member:<id>`: it names one member, whatever words follow it."""
    return (
        token in message.mentions
        or (token.startswith("member:") and is_plain_number(token[7:]))
        or _MENTION.match(token) is not None
    )


async def full_name_at_start(core: Runtime, message: Message, text: str) -> tuple[str, list[Member], str] | None:
    """For a name followed by free text (`@Felix Baumann why we should meet`): when `text` starts with the
    whole display name, of two or more words, of members on the message's platform, (that name as typed,
    those members, the text after it). The longest such name wins: with "Felix Baumann" and "Felix Baumann
    Hahn" both members, "Felix Baumann Hahn hello" means the second and "Felix Baumann hello" the first.
    None when no such name starts it (a first word alone is matched by `find_referenced_members`)."""
    words = list(re.finditer(r"\S+", text))
    if len(words) < 2 or names_one_member(message, words[0].group()):
        return None
    first_word = _name_key(words[0].group().removeprefix("@")).split()
    if not first_word:
        return None
    by_name: dict[str, list[Member]] = {}
    for member in await _members_whose_name_starts(core, message, first_word[0]):
        by_name.setdefault(_name_key(member.display_name), []).append(member)
    for count in range(min(len(words), MAX_NAME_WORDS), 1, -1):
        typed = text[words[0].start() : words[count - 1].end()]
        found = by_name.get(_name_key(typed.removeprefix("@")))
        if found and len(_name_key(typed).split()) > 1:
            return typed, found[:MAX_NAME_MATCHES], text[words[count - 1].end() :].strip()
    return None


async def members_named_like(core: Runtime, message: Message, text: str) -> list[tuple[Member, str]]:
    """Members of the message's platform whose display name the start of `text` may be a typo of (`@camila
    skov` for Camilla Skov), each with the text after the name as typed; at most MAX_NEAR_NAMES, closest
    first. For "did you mean" only: a typo never names a member by itself."""
    words = list(re.finditer(r"\S+", text))
    first_word = _name_key(words[0].group().removeprefix("@")).split() if words else []
    if not first_word:
        return []
    found: list[tuple[int, Member, str]] = []
    for member in await _members_whose_name_starts(core, message, first_word[0][:1]):
        name = _name_key(member.display_name)
        # The whole name, or its first word alone ("@camila" for Camilla Skov).
        for count, meant in ((len(name.split()), name), (1, name.split()[0] if name else "")):
            if not 0 < count <= len(words):
                continue
            typed = _name_key(text[words[0].start() : words[count - 1].end()].removeprefix("@"))
            if typed != meant and typos_of(typed, [meant]):
                found.append((edit_distance(typed, meant), member, text[words[count - 1].end() :].strip()))
                break
    found.sort(key=lambda near: near[0])
    return [(member, rest) for _, member, rest in found[:MAX_NEAR_NAMES]]


async def _members_whose_name_starts(core: Runtime, message: Message, prefix: str) -> list[Member]:
    """Members of the message's platform whose display name starts with `prefix` (lower case), with their
    identities; at most MAX_NAME_CANDIDATES."""
    async with core.db.session() as session:
        rows = await session.execute(
            select(Member)
            .join(PlatformIdentity)
            .where(PlatformIdentity.platform == message.platform)
            .where(func.lower(Member.display_name).startswith(prefix, autoescape=True))
            .options(selectinload(Member.identities))
            .order_by(Member.id)
            .limit(MAX_NAME_CANDIDATES)
        )
        return list(rows.scalars().unique())


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
