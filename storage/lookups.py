"""Look-ups that several layers share: a member by platform identity, an organisation by name (created on
first use). Plain data access, so the knowledge base's ingest and the bot's members service use one query."""

from __future__ import annotations

from sqlalchemy import select
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
