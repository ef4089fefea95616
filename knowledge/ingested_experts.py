"""An ingested expert profile and the member it is: which member it links to (created when missing), and
leaving out the profiles of members who erased their data (their tombstones, see storage/tombstones.py).

A profile may name any account (`member:`), so it links to a member who already exists only once that
member confirmed it (`profile link <profile id>`, `confirm_link`): until then it is stored unlinked, marked
with the account it names (UNCONFIRMED_KEY), and leaves the member's profile and role alone. A member the
ingest creates (an account nobody has used yet) is linked at once, and stays linked."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.sources import SourceDocument, SourceError
from storage.database import Database
from storage.lookups import find_by_identity, get_or_create_organisation, lock_member
from storage.models import Document, Member, Organisation, PlatformIdentity
from storage.tombstones import erased_hashes, identity_key, profile_key, tombstone_hash

ERASED_MEMBER = "skipped: erased member"
# In an expert document's meta: the account its `member:` names, while that member has not confirmed the link.
UNCONFIRMED_KEY = "unconfirmed_member"


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


async def expert_member(session: AsyncSession, source: SourceDocument, linked_member_id: int | None = None) -> int | None:
    """The member an expert profile belongs to: `member: platform:user` in the profile, otherwise a
    console member named after the profile id (so the console demo can introduce people). ErasedMember
    when that member erased their data, before or while this runs. None when that account's member
    already exists and is not the one the stored profile is linked to (`linked_member_id`): the link waits
    for their confirmation, and nothing of theirs is changed.

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
    if member is not None and member.id != linked_member_id:
        return None  # someone else's existing account: linked only once they confirm (confirm_link)
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
    """The account a profile names, written as the bot stores accounts ("Console: bea" is console:bea): the
    same account whichever way a file spells it, for finding its member, the confirmation rule and the
    tombstones alike."""
    return _account(source.meta.get("member") or f"console:{source.source_id.removeprefix('expert-')}")


def _account(identity: str) -> str:
    platform, _, user_id = identity.partition(":")
    return f"{platform.strip().lower()}:{user_id.strip()}"


async def confirm_link(session: AsyncSession, member: Member, profile_id: str) -> Document | None:
    """Link the member to the ingested expert profile `profile_id` that names one of their accounts and
    waits for their confirmation; None when there is no such profile (another account's, linked already,
    or none by that id). The member becomes an expert; their own profile fields stay as they set them."""
    document = (
        await session.execute(select(Document).where(Document.source_id == profile_id.strip(), Document.kind == "expert"))
    ).scalar_one_or_none()
    named = (document.meta or {}).get(UNCONFIRMED_KEY) if document is not None else None
    accounts = {_account(f"{i.platform}:{i.platform_user_id}") for i in member.identities}
    if document is None or document.member_id is not None or not named or _account(named) not in accounts:
        return None
    document.member_id = member.id
    document.meta = {key: value for key, value in document.meta.items() if key != UNCONFIRMED_KEY}
    # A new content hash, so every process's index reloads the document (and with it the link); the next
    # ingest stores it again from its file, still linked.
    document.content_hash = hashlib.sha256(f"{document.content_hash}:confirmed:{member.id}".encode()).hexdigest()
    if member.role == "member":
        member.role = "expert"
    return document


async def unconfirmed_profiles_of(session: AsyncSession, member: Member) -> list[tuple[int, str]]:
    """(id, source_id) of the ingested expert profiles naming one of the member's accounts that wait for
    their confirmation (erasure removes them with the member's own)."""
    accounts = {_account(f"{i.platform}:{i.platform_user_id}") for i in member.identities}
    rows = (
        await session.execute(
            select(Document.id, Document.source_id, Document.meta).where(
                Document.kind == "expert", Document.member_id.is_(None)
            )
        )
    ).all()
    return [
        (row.id, row.source_id) for row in rows
        if (row.meta or {}).get(UNCONFIRMED_KEY) and _account(row.meta[UNCONFIRMED_KEY]) in accounts
    ]
