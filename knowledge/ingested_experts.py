"""An ingested expert profile and the member it is: which member it links to (created when missing), and
leaving out the profiles of members who erased their data (their tombstones, see storage/tombstones.py)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.sources import SourceDocument, SourceError
from storage.database import Database
from storage.lookups import find_by_identity, get_or_create_organisation, lock_member
from storage.models import Member, Organisation, PlatformIdentity
from storage.tombstones import erased_hashes, identity_key, profile_key, tombstone_hash

ERASED_MEMBER = "skipped: erased member"


class ErasedMember(Exception):
    """An expert profile whose member erased their data (found as it was about to be stored)."""


def erasure_keys(source: SourceDocument) -> list[str]:
    """What an expert profile would bring back: the chat account it is linked to, and its own id."""
    platform, _, user_id = expert_identity(source).partition(":")
    return [identity_key(platform, user_id), profile_key(source.source_id)]


async def without_erased_members(
    db: Database, documents: list[SourceDocument]
) -> tuple[list[SourceDocument], list[SourceError]]:
    """The documents without expert profiles of erased members, and those left out, named by path only
    (the path is all that is said about them). Left out, they also count as gone: a copy stored meanwhile
    is deleted."""
    if not any(d.kind == "expert" for d in documents):
        return documents, []
    async with db.session() as session:
        erased = await erased_hashes(session)
    if not erased:
        return documents, []
    kept, skipped = [], []
    for document in documents:
        if _is_erased_expert(document, erased):
            skipped.append(SourceError(document.source_path, ERASED_MEMBER))
        else:
            kept.append(document)
    return kept, skipped


def _is_erased_expert(document: SourceDocument, erased: set[str]) -> bool:
    return document.kind == "expert" and any(tombstone_hash(key) in erased for key in erasure_keys(document))


async def check_not_erased(session: AsyncSession, source: SourceDocument) -> None:
    """ErasedMember if the profile's member erased their data (perhaps while this ingest ran)."""
    if await erased_hashes(session, erasure_keys(source)):
        raise ErasedMember(source.source_path)


async def expert_member(session: AsyncSession, source: SourceDocument) -> int:
    """The member an expert profile belongs to: `member: platform:user` in the profile, otherwise a
    console member named after the profile id (so the console demo can introduce people). ErasedMember
    when that member erased their data, before or while this runs.

    Call it before anything else is written in the transaction: it holds the member's row (`lock_member`)
    and only then checks the tombstones, so an erasure racing with it either committed first (and is
    seen here) or waits until this transaction has committed (and then deletes what it stored)."""
    identity = expert_identity(source)
    platform, _, user_id = identity.partition(":")
    if not user_id:
        raise ValueError(f"member “{identity}” should look like platform:user-id")
    member = await find_by_identity(session, platform, user_id)
    if member is not None and not await lock_member(session, member.id):
        session.expunge(member)
        member = None  # erased since it was read: the tombstones below say so
    await check_not_erased(session, source)
    organisation = await _profile_organisation(session, source)
    if member is None:
        member = Member(display_name=source.title[:200], role="expert", expertise=[], interests=[])
        member.identities.append(PlatformIdentity(platform=platform, platform_user_id=user_id, display_name=source.title[:200]))
        session.add(member)
    _fill_empty_fields(member, source, organisation.id if organisation is not None else None)
    await session.flush()
    return member.id


async def _profile_organisation(session: AsyncSession, source: SourceDocument) -> Organisation | None:
    """The profile's (first) organisation, created with its sector and country when it is new."""
    if not source.organisations:
        return None
    return await get_or_create_organisation(
        session,
        source.organisations[0],
        sector=source.sectors[0] if source.sectors else None,
        country=source.countries[0] if source.countries else None,
    )


def _fill_empty_fields(member: Member, source: SourceDocument, organisation_id: int | None) -> None:
    """Fill what is empty; never overwrite what the member set themselves, nor lower their role."""
    if organisation_id is not None and member.organisation_id is None:
        member.organisation_id = organisation_id
    _fill_empty_facets(member, source)
    if member.role == "member":
        member.role = "expert"


def _fill_empty_facets(member: Member, source: SourceDocument) -> None:
    if not member.sector and source.sectors:
        member.sector = source.sectors[0]
    if not member.country and source.countries:
        member.country = source.countries[0]
    if not member.expertise and source.meta.get("expertise"):
        member.expertise = list(source.meta["expertise"])[:20]


def expert_identity(source: SourceDocument) -> str:
    return source.meta.get("member") or f"console:{source.source_id.removeprefix('expert-')}"
