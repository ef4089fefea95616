"""Erasure tombstones: the keys an erased member was known by, kept only as salted SHA-256 hashes.

Erasure (bot/privacy) records one for each of the member's chat accounts (`platform:user id`) and for
the id of each expert profile of theirs loaded from the knowledge folder; ingest (knowledge/ingest.py)
skips an expert profile whose account or id has one, so the next ingest of a folder that still holds
the profile does not bring the member back. A hash can confirm a guess (someone who already holds the
key can test it) but cannot be turned back into the key, and no row says which hashes belong together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ErasureTombstone, utcnow
from storage.upsert import upsert_insert

# Fixed and versioned: a hash made here matches no hash of the same key made for another purpose.
_SALT = b"lighthouse-erasure-tombstone-v1\x00"


def identity_key(platform: str, user_id: str) -> str:
    """A chat account: platform names are case-blind, account ids are not (Slack's U-ids, Discord's numbers)."""
    return f"identity:{platform.strip().lower()}:{user_id.strip()}"


def profile_key(source_id: str) -> str:
    """An expert profile in the knowledge folder, by its stable id (`id:` or the one derived from its path)."""
    return f"profile:{' '.join(source_id.split()).lower()}"


def tombstone_hash(key: str) -> str:
    return hashlib.sha256(_SALT + key.encode("utf-8")).hexdigest()


async def record_tombstones(session: AsyncSession, keys: Iterable[str]) -> int:
    """Remember that these keys belong to an erased member (in the caller's transaction). A key that is
    already a tombstone (an account erased twice) stays one row."""
    hashes = sorted({tombstone_hash(key) for key in keys})
    if not hashes:
        return 0
    now = utcnow()
    await session.execute(
        upsert_insert(session, ErasureTombstone)
        .values([{"key_hash": value, "created_at": now} for value in hashes])
        .on_conflict_do_nothing(index_elements=[ErasureTombstone.key_hash])
    )
    return len(hashes)


async def erased_hashes(session: AsyncSession, keys: Iterable[str] | None = None) -> set[str]:
    """The tombstones among `keys` (as hashes), or every tombstone when `keys` is None."""
    query = select(ErasureTombstone.key_hash)
    if keys is not None:
        wanted = {tombstone_hash(key) for key in keys}
        if not wanted:
            return set()
        query = query.where(ErasureTombstone.key_hash.in_(wanted))
    return set((await session.execute(query)).scalars())
