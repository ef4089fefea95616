"""Loading a folder into the knowledge base: parse, chunk, embed, store.

Idempotent by content hash: an unchanged document is skipped, a changed one is re-chunked and
re-embedded, and a document whose file (or record) is gone is deleted. Each document is written in its
own transaction together with a bump of the knowledge version, so a crash or a bad record never leaves a
half-written document and other processes notice the change. Chunks are embedded in batches that span
documents, so ingest runs at the speed of the model.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import delete, insert, select

from knowledge.chunking import CHUNKER_VERSION, Passage, embedding_text, passages
from knowledge.embeddings import DEFAULT_BATCH_SIZE, Encoder, run_on_model_thread, to_bytes
from knowledge.ingested_experts import (
    ERASED_MEMBER,
    UNCONFIRMED_KEY,
    ErasedMember,
    expert_identity,
    expert_member,
    without_erased_members,
)
from knowledge.pilot_facts import pilot_facts
from knowledge.profiles import RESERVED_ID_OWNERS, embed_pending, forget_other_model_vectors, is_member_profile
from knowledge.shipped import ShippedVectors, shipped_vectors
from knowledge.sources import (
    DEFAULT_LIMITS,
    FileContent,
    ReadLimits,
    SourceDocument,
    SourceError,
    SourceOrganisation,
    is_inside,
    path_text,
    read_file,
    source_files,
)
from knowledge.version import bump_version
from storage.database import Database
from storage.lookups import get_or_create_organisation
from storage.models import Chunk, Document, Pilot

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]  # (chunks done, chunks to embed)
# Kept in a document's meta: which model embedded its chunks, and its source's fingerprint (so that it
# can be re-embedded by another model without its source file, see EmbeddingModel.reembed_stale).
EMBEDDING_MODEL_KEY = "embedding_model"
SOURCE_HASH_KEY = "source_hash"
# Documents are embedded in groups of about this many chunks: big enough for full batches, small enough
# that a long ingest writes as it goes.
GROUP_CHUNKS = 1024
FIRST_GROUP_CHUNKS = 64
INGEST_LOCK_ID = 0x4C48_494E  # "LHIN": the advisory-lock key that lets one ingest run at a time


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    chunks: int = 0
    organisations: int = 0
    errors: list[SourceError] = field(default_factory=list)
    # Expert profiles of members who erased their data: left out on purpose (not a problem of the file).
    skipped: list[SourceError] = field(default_factory=list)
    # Expert profiles stored without their link to an existing member, until that member confirms it.
    unconfirmed: list[SourceError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed; {self.chunks} chunks embedded in {self.seconds:.1f} s"
            + (f"; {len(self.skipped)} skipped (erased members)" if self.skipped else "")
            + (f"; {len(self.unconfirmed)} awaiting their member's confirmation" if self.unconfirmed else "")
            + (f"; {len(self.errors)} problem(s)" if self.errors else "")
        )


@dataclass
class _Pending:
    document: SourceDocument
    source_hash: str
    content_hash: str
    passages: list[Passage]
    existing_id: int | None


async def delete_documents(db: Database, document_ids: list[int]) -> int:
    """Remove documents (and their chunks and pilot facts) from the knowledge base, e.g. on erasure."""
    if not document_ids:
        return 0
    async with db.session() as session, session.begin():
        result = await session.execute(delete(Document).where(Document.id.in_(document_ids)))
        await bump_version(session)
    return result.rowcount or 0


async def ingest(
    db: Database,
    path: Path,
    encoder: Encoder,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    waiting: Callable[[], None] | None = None,
    use_shipped: bool = True,
) -> IngestReport:
    """Bring the knowledge base in line with `path` (a folder, or one file). A file over `limits`, or a
    symbolic link to a file outside the folder, is skipped and reported with the reason. With
    `use_shipped`, passages whose vectors ship with the project for this model take them instead of being
    embedded.

    One ingest runs at a time per database, across processes: another one waits (`waiting` is called
    once) and then finds what the first stored unchanged, so two runs never race to create the same
    document, member or organisation."""
    started = time.perf_counter()
    path = path.expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    async with db.exclusive("ingest", INGEST_LOCK_ID, waiting=waiting):
        return await _ingest(db, path, encoder, batch_size, progress, limits, use_shipped, started)


@dataclass
class _Folder:
    """What reading a folder (or one file) found."""

    documents: list[SourceDocument] = field(default_factory=list)
    organisations: list[SourceOrganisation] = field(default_factory=list)
    failed_paths: set[str] = field(default_factory=set)  # files that could not be read, whole or in part
    seen_paths: set[str] = field(default_factory=set)


class _Progress:
    """Chunks embedded so far, told to the caller's progress callback (if any)."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback
        if callback:
            callback(0, total)

    def __call__(self, count: int) -> None:
        self.done += count
        if self.callback:
            self.callback(self.done, self.total)


async def _ingest(
    db: Database,
    path: Path,
    encoder: Encoder,
    batch_size: int,
    progress: ProgressCallback | None,
    limits: ReadLimits,
    use_shipped: bool,
    started: float,
) -> IngestReport:
    report = IngestReport()
    async with db.session() as session:
        rows = (await session.execute(select(Document.id, Document.source_id, Document.content_hash, Document.source_path, Document.meta))).all()
    root = path if path.is_dir() else _known_root(path, rows)

    folder = _read_folder(path, root, report, limits)
    documents, report.skipped = await without_erased_members(db, folder.documents)
    report.organisations = await _store_organisations(db, folder.organisations)
    pending = _changed(documents, rows, encoder.name, report, limits)
    await _claim(db, _from_other_roots(documents, pending, rows, root), root)
    embedded = _Progress(sum(len(p.passages) for p in pending), progress)
    shipped = await run_on_model_thread(shipped_vectors, encoder) if use_shipped and pending else None
    await _embed_and_store(db, _groups_in_order(pending, shipped), encoder, batch_size, embedded, shipped, root, report)
    await _remove_gone(db, rows, path, root, folder, {d.source_id for d in documents}, report)
    # Members' own profiles are not in the folder; with a new model they need new vectors too.
    if await forget_other_model_vectors(db, encoder.name):
        report.chunks += await embed_pending(db, lambda: encoder)
    report.seconds = time.perf_counter() - started
    return report


def _changed(
    documents: list[SourceDocument], rows: list, model: str, report: IngestReport, limits: ReadLimits = DEFAULT_LIMITS
) -> list[_Pending]:
    """The documents that are new or changed (or were embedded by another model), with their passages. A
    document of more passages than `limits` allows is skipped with the reason (what an earlier run stored of
    it stays as it was)."""
    existing = {row.source_id: row for row in rows}
    pending = []
    for document in documents:
        source_hash = document.fingerprint(CHUNKER_VERSION)
        content_hash = embedded_hash(source_hash, model)
        known = existing.get(document.source_id)
        if known is not None and known.content_hash == content_hash:
            report.unchanged += 1
            continue
        found = passages(document)
        if len(found) > limits.max_passages:
            report.errors.append(SourceError(
                document.source_path,
                f"skipped: {len(found):,} passages to embed; the limit for one document is {limits.max_passages:,} "
                "(about 130 words each); split it into several documents",
            ))
            continue
        pending.append(_Pending(document, source_hash, content_hash, found, known.id if known else None))
    return _within_file_limit(pending, report, limits)


def _from_other_roots(documents: list[SourceDocument], pending: list[_Pending], rows: list, root: Path) -> list[int]:
    """Documents found in this folder and not to be stored again (unchanged) that an ingest of another
    folder stored: the folder was moved or copied, or the same files are in two folders."""
    to_store = {item.document.source_id for item in pending}
    found = {document.source_id for document in documents} - to_store
    return [row.id for row in rows if row.source_id in found and (row.meta or {}).get("root") != path_text(root)]


async def _claim(db: Database, document_ids: list[int], root: Path) -> None:
    """The documents belong to `root` from now on, as if stored from it: a later ingest of it removes them
    once their file is gone from it. The search index keeps no root: nothing to tell other processes."""
    if not document_ids:
        return
    async with db.session() as session, session.begin():
        for document in (await session.execute(select(Document).where(Document.id.in_(document_ids)))).scalars():
            document.meta = {**(document.meta or {}), "root": path_text(root)}


def _within_file_limit(pending: list[_Pending], report: IngestReport, limits: ReadLimits) -> list[_Pending]:
    """Without the documents of a file whose passages to embed, all together, are more than `limits` allows
    (skipped with the reason; what an earlier run stored from it stays as it was)."""
    by_file: dict[str, int] = {}
    for item in pending:
        by_file[item.document.source_path] = by_file.get(item.document.source_path, 0) + len(item.passages)
    over = {path: count for path, count in by_file.items() if count > limits.max_file_passages}
    for path, count in over.items():
        report.errors.append(SourceError(
            path,
            f"skipped: {count:,} passages to embed; the limit for one file is {limits.max_file_passages:,}; "
            "split it into several files",
        ))
    return [item for item in pending if item.document.source_path not in over]


def _groups_in_order(pending: list[_Pending], shipped: ShippedVectors | None) -> list[list[_Pending]]:
    """Documents whose vectors all ship with the project first (searchable at once); the others follow in
    groups that start small, so the first of them are searchable soon too, with passages of like length
    together (less padding in each batch)."""
    ready = [p for p in pending if _all_shipped(p, shipped)]
    ready_ids = {id(p) for p in ready}
    rest = [p for p in pending if id(p) not in ready_ids]
    rest.sort(key=_mean_passage_length)
    return [*_groups(ready), *_groups(rest)]


def _all_shipped(item: _Pending, shipped: ShippedVectors | None) -> bool:
    """Whether every passage's vector ships with the project."""
    return shipped is not None and all(shipped.passage(text) is not None for text in _texts([item]))


def _mean_passage_length(item: _Pending) -> float:
    return sum(len(x.text) for x in item.passages) / len(item.passages)


async def _embed_and_store(
    db: Database, groups: list[list[_Pending]], encoder: Encoder, batch_size: int, embedded: _Progress,
    shipped: ShippedVectors | None, root: Path, report: IngestReport,
) -> None:
    """Embedding the next group (on the model's thread; torch releases the GIL) overlaps storing this one."""
    def encode(group: list[_Pending]) -> asyncio.Task:
        return _encode_in_thread(encoder, group, batch_size, embedded, shipped)

    encoding = encode(groups[0]) if groups else None
    for number, group in enumerate(groups):
        assert encoding is not None
        vectors = await encoding
        encoding = encode(groups[number + 1]) if number + 1 < len(groups) else None
        offset = 0
        for item in group:
            count = len(item.passages)
            await _store_reported(db, item, vectors[offset : offset + count], root, encoder.name, report)
            offset += count


async def _store_reported(db: Database, item: _Pending, vectors, root: Path, model: str, report: IngestReport) -> None:  # noqa: ANN001 - ndarray
    try:
        unconfirmed = await _store_document(db, item, vectors, root, model)
    except ErasedMember:  # erased while this ingest ran
        report.skipped.append(SourceError(item.document.source_path, ERASED_MEMBER))
    except Exception as exc:  # one bad document must not stop the others
        log.exception("could not store %s", item.document.source_id)
        report.errors.append(SourceError(item.document.source_path, f"could not be stored ({exc.__class__.__name__}: {exc})"))
    else:
        (report.updated if item.existing_id else report.added).append(item.document.source_id)
        report.chunks += len(item.passages)
        if unconfirmed is not None:
            report.unconfirmed.append(SourceError(
                item.document.source_path,
                f"not linked to the existing member {unconfirmed} until they confirm it with "
                f"`profile link {item.document.source_id}`",
            ))


async def _remove_gone(
    db: Database, rows: list, path: Path, root: Path, folder: _Folder, seen_ids: set[str], report: IngestReport
) -> None:
    """Delete documents gone from this folder (or this file): not seen now, and not in a file that failed
    to read."""
    stale = [row for row in rows if _is_gone(row, path, root, folder, seen_ids)]
    for row in stale:
        await delete_documents(db, [row.id])
        report.removed.append(row.source_id)


def _is_gone(row, path: Path, root: Path, folder: _Folder, seen_ids: set[str]) -> bool:  # noqa: ANN001 - a row of `rows`
    """Ingested from this root, not seen now, not in a file that failed to read, and (for one file) from it."""
    return (
        (row.meta or {}).get("root") == path_text(root)
        and row.source_id not in seen_ids
        and row.source_path not in folder.failed_paths
        and (path.is_dir() or row.source_path in folder.seen_paths)
    )


def _known_root(file: Path, rows: list) -> Path:
    """For one file: the folder it was ingested from before (so its paths and ids stay the same)."""
    parents = {path_text(parent): parent for parent in file.parents}
    roots = {root for row in rows if (root := (row.meta or {}).get("root"))}
    enclosing = [parents[root] for root in roots if root in parents]
    return max(enclosing, key=lambda root: len(root.parts)) if enclosing else file.parent


def _read_folder(path: Path, root: Path, report: IngestReport, limits: ReadLimits = DEFAULT_LIMITS) -> _Folder:
    folder = _Folder()
    first_seen: dict[str, str] = {}
    for file in source_files(path):
        relative = path_text(file.relative_to(root).as_posix())
        folder.seen_paths.add(relative)
        if path.is_dir() and not is_inside(file, root):
            # Whoever can write the folder must not make the bot read (and show) files from elsewhere. Not a
            # failed read: what an earlier run stored from this path is gone from the folder, and deleted.
            report.errors.append(SourceError(relative, "skipped: a symbolic link to a file outside the knowledge folder"))
            continue
        content: FileContent = read_file(file, relative, limits)
        if content.errors:
            folder.failed_paths.add(relative)
            report.errors.extend(content.errors)
        for document in content.documents:
            if is_member_profile(document.source_id):
                # The bot's own documents (a member's profile, a kept community answer): a file claiming one's
                # id would overwrite it, and take it away when the file goes.
                report.errors.append(SourceError(relative, f"id “{document.source_id}” is reserved for {RESERVED_ID_OWNERS}"))
                folder.failed_paths.add(relative)
                continue
            earlier = first_seen.get(document.source_id)
            if earlier is not None:
                report.errors.append(SourceError(relative, f"id “{document.source_id}” is already used in {earlier}"))
                folder.failed_paths.add(relative)
                continue
            first_seen[document.source_id] = relative
            folder.documents.append(document)
        folder.organisations.extend(content.organisations)
    return folder


async def _store_organisations(db: Database, organisations: list) -> int:
    if not organisations:
        return 0
    async with db.session() as session, session.begin():
        for organisation in organisations:
            await get_or_create_organisation(session, organisation.name, sector=organisation.sector, country=organisation.country)
    return len(organisations)


def _encode_in_thread(
    encoder: Encoder,
    group: list[_Pending],
    batch_size: int,
    batch_embedded: Callable[[int], None],
    shipped: ShippedVectors | None = None,
) -> asyncio.Task:
    """Embed a group on the model's thread, one batch per call: progress is told per batch, and a search
    waiting for the model runs between two batches rather than after the whole group. Passages whose
    vectors ship with the project for this model (the demo's, see knowledge/shipped.py) are not embedded."""
    texts = _texts(group)
    # An encoder that is safe to call from any thread (the e5 engine) embeds off the model's thread, so a
    # question meanwhile is embedded at once rather than after the passages ahead of it.
    run = asyncio.to_thread if getattr(encoder, "thread_safe", False) else run_on_model_thread

    async def encode_in_batches() -> np.ndarray:
        vectors = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
        missing = []
        for row, text in enumerate(texts):
            found = shipped.passage(text) if shipped is not None else None
            if found is None:
                missing.append(row)
            else:
                vectors[row] = found
        if len(missing) < len(texts):
            batch_embedded(len(texts) - len(missing))
        # Longest first, the order sentence-transformers gives one call itself: each batch holds texts
        # of like length, so splitting the call costs no extra padding.
        order = sorted(missing, key=lambda i: -len(texts[i]))
        step = getattr(encoder, "passages_per_call", batch_size)
        for start in range(0, len(order), step):
            chosen = order[start : start + step]
            vectors[chosen] = await run(encoder.encode, [texts[i] for i in chosen], batch_size=batch_size)
            batch_embedded(len(chosen))
        return vectors

    return asyncio.ensure_future(encode_in_batches())


def _texts(group: list[_Pending]) -> list[str]:
    return [embedding_text(p.document.title, passage.heading, passage.text) for p in group for passage in p.passages]


def _groups(pending: list[_Pending]) -> Iterator[list[_Pending]]:
    """Groups of about GROUP_CHUNKS chunks; the first ones smaller (64, 128, ...), so the first documents
    are stored, and searchable, soon after an ingest starts."""
    group: list[_Pending] = []
    size = 0
    limit = min(FIRST_GROUP_CHUNKS, GROUP_CHUNKS)
    for item in pending:
        group.append(item)
        size += len(item.passages)
        if size >= limit:
            yield group
            group, size = [], 0
            limit = min(2 * limit, GROUP_CHUNKS)
    if group:
        yield group


def embedded_hash(source_hash: str, model: str) -> str:
    """A document's content hash: its source's fingerprint bound to the model that embedded it, so a
    document embedded by another model counts as changed (for ingest and for every process's index)."""
    return hashlib.sha256(f"{source_hash}:{model}".encode()).hexdigest()


async def _store_document(db: Database, item: _Pending, vectors, root: Path, model: str) -> str | None:  # noqa: ANN001 - ndarray
    """Store one document; for an expert profile whose link waits for its member's confirmation, the
    account it names."""
    source = item.document
    async with db.session() as session, session.begin():
        document = None
        if item.existing_id is not None:
            document = await session.get(Document, item.existing_id)
        # An expert's member first, before any other write: see expert_member.
        linked = document.member_id if document is not None else None
        member_id = await expert_member(session, source, linked) if source.kind == "expert" else None
        unconfirmed = expert_identity(source) if source.kind == "expert" and member_id is None else None
        if document is None:
            document = Document(source_id=source.source_id)
            session.add(document)
        document.source_path = source.source_path
        document.kind = source.kind
        document.title = source.title
        document.url = source.url
        document.content_hash = item.content_hash
        document.themes = source.themes
        document.countries = source.countries
        document.sectors = source.sectors
        document.organisations = source.organisations
        document.published_on = source.published_on
        document.meta = {
            **source.meta, "root": path_text(root), SOURCE_HASH_KEY: item.source_hash, EMBEDDING_MODEL_KEY: model
        }
        if unconfirmed is not None:
            document.meta[UNCONFIRMED_KEY] = unconfirmed
        if source.kind == "expert":
            document.member_id = member_id
        await session.flush()
        if item.existing_id is not None:  # a new document has nothing to replace
            await session.execute(delete(Chunk).where(Chunk.document_id == document.id))
            await session.execute(delete(Pilot).where(Pilot.document_id == document.id))
        await session.execute(
            insert(Chunk),
            [
                {
                    "document_id": document.id,
                    "ordinal": ordinal,
                    "heading": passage.heading[:300] if passage.heading else None,
                    "text": passage.text,
                    "embedding": to_bytes(vector),
                }
                for ordinal, (passage, vector) in enumerate(zip(item.passages, vectors, strict=True))
            ],
        )
        if source.kind == "pilot":
            session.add(pilot_facts(document.id, source, item.passages))
        await bump_version(session)
    return unconfirmed
