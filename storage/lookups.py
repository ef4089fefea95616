"""Look-ups that several layers share: a member by platform identity, an organisation by name (created on
first use), a member's row held for a transaction. Plain data access, so the knowledge base's ingest, the
bot's members service and erasure use one query."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.models import Member, Organisation, PlatformIdentity
from storage.upsert import upsert_insert


def organisation_key(name: str) -> str:
    # Lower-casing can lengthen text ("İ" becomes two code points): keep within the column.
    return " ".join(name.lower().split())[:200]


async def find_by_identity(session: AsyncSession, platform: str, user_id: str) -> Member | None:
    result = await session.execute(
        select(Member)
        .join(PlatformIdentity)
        .where(PlatformIdentity.platform == platform, PlatformIdentity.platform_user_id == user_id)
        .options(joinedload(Member.identities))  # one statement: this runs for every message
    )
    return result.unique().scalars().first()


async def lock_member(session: AsyncSession, member_id: int) -> bool:
    """Hold the member's row until the caller's transaction ends; False when there is no such member (any
    more). Whatever reads a member and then writes on what it read takes the row first: an erasure, a
    profile edit, a consent change, an ingested expert profile (before it checks the member's tombstones).
    Two of them then run one after the other, and the second reads what the first committed: an erasure
    sees what the other stored and deletes it, or has committed (its tombstones and the row's absence are
    seen) before the other goes on.

    PostgreSQL: SELECT ... FOR UPDATE, which also waits for a transaction whose foreign key names the
    member. SQLite has no row locks; a write to the row takes the database's write lock instead, which
    also puts every later read of the transaction after all earlier commits."""
    return member_id in await lock_members(session, [member_id])


class MemberGone(LookupError):
    """The member's row no longer exists: erased between reading them and changing what is theirs."""

    def __init__(self, member_id: int) -> None:
        super().__init__(member_id)
        self.member_id = member_id


async def held_member(session: AsyncSession, member_id: int, *, shared: bool = False) -> Member:
    """The member's row, held as `lock_member` (or `lock_members(shared=True)`) holds it; MemberGone when an
    erasure got there first, so that what would have been written for them is not."""
    held = member_id in await lock_members(session, [member_id], shared=shared)
    member = await session.get(Member, member_id) if held else None
    if member is None:
        raise MemberGone(member_id)
    return member


async def lock_members(session: AsyncSession, member_ids: Iterable[int], *, shared: bool = False) -> set[int]:
    """`lock_member` for several members at once; the ids of those that exist. `shared` (PostgreSQL: FOR
    SHARE) is for a write that only reads the members, such as an exchange reading their consent: such
    writes do not wait for each other, only for a change of the members (and it for them)."""
    ids = sorted(set(member_ids))
    if not ids:
        return set()
    if session.get_bind().dialect.name == "sqlite":
        table = Member.__table__
        await session.execute(update(table).where(table.c.id.in_(ids)).values(updated_at=table.c.updated_at))
        return set((await session.execute(select(Member.id).where(Member.id.in_(ids)))).scalars())
    query = select(Member.id).where(Member.id.in_(ids)).order_by(Member.id).with_for_update(read=shared)
    return set((await session.execute(query)).scalars())


async def get_or_create_organisation(
    session: AsyncSession, name: str, *, sector: str | None = None, country: str | None = None
) -> Organisation:
    """The organisation of that name, created when missing. Two processes creating the same one at once
    (two ingests, an ingest and a profile change) get the same row: the insert does nothing on a clash."""
    key = organisation_key(name)
    organisation = await _organisation_by_key(session, key)
    if organisation is None:
        await session.execute(
            upsert_insert(session, Organisation)
            .values(name=" ".join(name.split()), name_key=key, sector=sector, country=country)
            .on_conflict_do_nothing(index_elements=[Organisation.name_key])
        )
        organisation = await _organisation_by_key(session, key)
        assert organisation is not None
    organisation.sector = organisation.sector or sector
    organisation.country = organisation.country or country
    return organisation


async def _organisation_by_key(session: AsyncSession, key: str) -> Organisation | None:
    return (await session.execute(select(Organisation).where(Organisation.name_key == key))).scalar_one_or_none()
