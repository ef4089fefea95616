"""A member's own profile as an expert document, searchable like the ingested expert profiles.

One mechanism for every expert: a Document of kind "expert" linked by `member_id`, so search, the
expert-search consent (checked at query time), `privacy erase` and the asker-is-not-shown rule treat a
member who filled in their profile exactly like a profile loaded from the knowledge folder.

Saving a profile must not wait for the embedding model, so `sync_member_profile` writes the document and
its passages *without* vectors, and bumps the knowledge version, in the profile's own transaction: every
process's index picks the profile up at once and finds it by keywords. `embed_pending` then fills in the
vectors on the model's thread (right after the save when the model is loaded, the save waiting a moment
for it; otherwise when an index loads a passage without a vector, and at start-up), so a crash in
between loses nothing: the missing vectors are the to-do list.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

import numpy as np
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.chunking import CHUNKER_VERSION, embedding_text, passages
from knowledge.embeddings import Encoder, run_on_model_thread, to_bytes
from knowledge.sources import SourceDocument
from knowledge.version import bump_version
from storage.database import Database
from storage.models import Chunk, Document, Member

log = logging.getLogger(__name__)

SOURCE_PREFIX = "member-profile:"
# Community answers kept as knowledge (bot.community): written like profiles, never by an ingest.
ANSWER_SOURCE_PREFIX = "community-answer:"
WRITTEN_BY_THE_BOT = (SOURCE_PREFIX, ANSWER_SOURCE_PREFIX)
# How an ingest names them when a knowledge file claims one of their ids.
RESERVED_ID_OWNERS = f"the bot's own documents ({SOURCE_PREFIX}…, {ANSWER_SOURCE_PREFIX}…)"
SOURCE_PATH = "member profile"
# Passages embedded per model call (a profile has two or three; this bounds a backlog's batches).
EMBED_BATCH_CHUNKS = 256


def profile_source_id(member_id: int) -> str:
    return f"{SOURCE_PREFIX}{member_id}"


def profile_document(member: Member) -> SourceDocument | None:
    """The searchable form of a member's profile; None when they list no expertise (not an expert)."""
    expertise = [item for item in (member.expertise or []) if item.strip()]
    if not expertise:
        return None
    organisation = member.organisation.name if member.organisation else None
    return SourceDocument(
        source_id=profile_source_id(member.id),
        source_path=SOURCE_PATH,
        kind="expert",
        title=member.display_name,
        body=_profile_body(member),
        countries=_listed(member.country),
        sectors=_listed(member.sector),
        organisations=_listed(organisation),
        meta={"expertise": expertise, **({"interests": list(member.interests)} if member.interests else {})},
    )


def _profile_body(member: Member) -> str:
    sections = []
    if member.bio and member.bio.strip():
        sections.append(f"## About\n{member.bio.strip()}")
    if member.interests:
        sections.append("## Interests\n" + ", ".join(member.interests) + ".")
    return "\n\n".join(sections)


def _listed(value: str | None) -> list[str]:
    return [value] if value else []


async def sync_member_profile(session: AsyncSession, member_id: int) -> bool:
    """Bring the member's expert document in line with their profile, inside the caller's transaction.
    Returns True when the knowledge base changed (the version is then bumped)."""
    member = await session.get(Member, member_id)
    if member is not None:
        await session.refresh(member, ["organisation"])  # its organisation may have just changed
    source = profile_document(member) if member is not None else None
    return await sync_document(session, profile_source_id(member_id), source, member_id=member_id)


async def sync_document(
    session: AsyncSession, source_id: str, source: SourceDocument | None, *, member_id: int | None
) -> bool:
    """Write a document the bot keeps itself (a member's profile, a community answer) as `source` says, or
    delete it when `source` is None, inside the caller's transaction: its passages are stored without
    vectors (found by keywords at once; `embed_pending` adds the vectors) and the knowledge version is
    bumped, so every process's index picks the change up. Returns True when the knowledge base changed."""
    existing = (await session.execute(select(Document).where(Document.source_id == source_id))).scalar_one_or_none()
    if source is None:
        return await _delete_kept(session, existing)
    fingerprint = source.fingerprint(CHUNKER_VERSION)
    if existing is not None and (existing.meta or {}).get("profile_hash") == fingerprint:
        return False
    document = existing or Document(source_id=source_id, member_id=member_id)
    _copy_source(document, source, member_id, fingerprint)
    if existing is None:
        session.add(document)
    await session.flush()
    await _write_passages(session, document, source, replacing=existing is not None)
    await bump_version(session)
    return True


async def _write_passages(
    session: AsyncSession, document: Document, source: SourceDocument, *, replacing: bool
) -> None:
    """The document's passages, without vectors, in place of any it had."""
    if replacing:
        await session.execute(delete(Chunk).where(Chunk.document_id == document.id))
    await session.execute(
        insert(Chunk),
        [
            {"document_id": document.id, "ordinal": ordinal, "heading": p.heading, "text": p.text, "embedding": None}
            for ordinal, p in enumerate(passages(source))
        ],
    )


async def _delete_kept(session: AsyncSession, existing: Document | None) -> bool:
    """Delete a kept document, if there is one; True when there was."""
    if existing is None:
        return False
    await session.execute(delete(Document).where(Document.id == existing.id))
    await bump_version(session)
    return True


def _copy_source(document: Document, source: SourceDocument, member_id: int | None, fingerprint: str) -> None:
    document.member_id = member_id
    document.source_path = source.source_path
    document.kind = source.kind
    document.title = source.title[:300]
    document.url = None
    # Until its passages have vectors; `embed_pending` then changes it, so every index reloads the document.
    document.content_hash = fingerprint
    document.themes = source.themes
    document.countries = source.countries
    document.sectors = source.sectors
    document.organisations = source.organisations
    document.published_on = source.published_on
    document.meta = {**source.meta, "profile_hash": fingerprint}


def profile_embedded_hash(content_hash: str, model_name: str) -> str:
    """The content hash of a document once its passages have vectors from `model_name`."""
    return hashlib.sha256(f"{content_hash}:embedded:{model_name}".encode()).hexdigest()


def is_member_profile(source_id: str) -> bool:
    """A document the bot writes itself: a member's profile, or a community answer kept as knowledge.
    Neither comes from a knowledge folder; both get their vectors through `embed_pending`. In any case: a
    file's "Member-Profile:7" is refused as the bot's own id, and SQLite's LIKE would take it for one."""
    return source_id.strip().lower().startswith(WRITTEN_BY_THE_BOT)


def embedded_by_other_model(content_hash: str, meta: dict | None, model_name: str) -> bool:
    """Whether a member profile's vectors come from another model than `model_name` (one still waiting
    for its vectors is not: `embed_pending` gives it vectors from the model in use)."""
    written = (meta or {}).get("profile_hash", "")
    return content_hash not in (written, profile_embedded_hash(written, model_name))


async def forget_other_model_vectors(db: Database, model_name: str) -> int:
    """After the model changed (an ingest with another model re-embeds the folder), member profiles
    embedded with the old one lose their vectors, so `embed_pending` gives them new ones. Returns how many."""
    async with db.session() as session, session.begin():
        rows = (
            await session.execute(
                select(Document.id, Document.content_hash, Document.meta).where(
                    or_(*(Document.source_id.startswith(prefix) for prefix in WRITTEN_BY_THE_BOT))
                )
            )
        ).all()
        stale = {
            row.id: (row.meta or {}).get("profile_hash", "")
            for row in rows
            if embedded_by_other_model(row.content_hash, row.meta, model_name)
        }
        for document_id, written in stale.items():
            await session.execute(update(Chunk).where(Chunk.document_id == document_id).values(embedding=None))
            await session.execute(update(Document).where(Document.id == document_id).values(content_hash=written))
        if stale:
            await bump_version(session)
    return len(stale)


async def embed_pending(db: Database, encoder: Callable[[], Encoder]) -> int:
    """Give every passage without a vector its vector; returns how many were embedded.

    `encoder` is called on the model's thread, and only when there is work, so a process never loads
    the model for nothing and the event loop never waits for it. Safe to run in several processes at
    once: a vector is written only where none is yet, and a document's hash moves only if the
    document is still the one that was read.
    """
    done = 0
    while True:
        async with db.session() as session:
            rows = (
                await session.execute(
                    select(Chunk.id, Chunk.document_id, Chunk.heading, Chunk.text, Document.title, Document.content_hash)
                    .join(Document, Document.id == Chunk.document_id)
                    .where(Chunk.embedding.is_(None))
                    .order_by(Chunk.id)
                    .limit(EMBED_BATCH_CHUNKS)
                )
            ).all()
        if not rows:
            return done
        texts = [embedding_text(row.title, row.heading, row.text) for row in rows]

        def encode(texts: list[str] = texts) -> tuple[str, np.ndarray]:
            model = encoder()
            return model.name, model.encode(texts)

        model_name, vectors = await run_on_model_thread(encode)
        async with db.session() as session, session.begin():
            for row, vector in zip(rows, vectors, strict=True):
                await session.execute(
                    update(Chunk).where(Chunk.id == row.id, Chunk.embedding.is_(None)).values(embedding=to_bytes(vector))
                )
            hashes = {row.document_id: row.content_hash for row in rows}
            still_pending = set(
                (
                    await session.execute(
                        select(Chunk.document_id).where(Chunk.document_id.in_(hashes), Chunk.embedding.is_(None))
                    )
                ).scalars()
            )
            for document_id, content_hash in hashes.items():
                if document_id not in still_pending:
                    await session.execute(
                        update(Document)
                        .where(Document.id == document_id, Document.content_hash == content_hash)
                        .values(content_hash=profile_embedded_hash(content_hash, model_name))
                    )
            await bump_version(session)
        done += len(rows)
        log.info("embedded %d passage(s) that had no vector yet", len(rows))
