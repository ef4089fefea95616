"""Stored documents and their passages as the search index's blocks (`DocBlock`): vectors, terms, facts."""

from __future__ import annotations

import numpy as np

from knowledge.chunking import embedding_text
from knowledge.ingest import SOURCE_HASH_KEY
from knowledge.search import DocBlock, DocInfo, SearchIndex
from knowledge.terms import terms
from storage.models import Document

# Meta keys that only ingest needs: not kept in memory.
_INGEST_ONLY_META = ("root", SOURCE_HASH_KEY)


def build_blocks(index: SearchIndex, documents: list[Document], chunk_rows: list) -> list[DocBlock]:  # noqa: ANN001
    """One block per document, its passages in `chunk_rows` (ordered by document and position)."""
    by_document: dict[int, list] = {}
    for row in chunk_rows:
        by_document.setdefault(row.document_id, []).append(row)
    # One array for the whole batch (blocks hold views): released in one piece once copied into the index.
    kept = [row for document in documents for row in by_document.get(document.id, [])]
    batch_vectors = _vectors(kept, index.dimension or _first_dimension(kept))
    blocks = []
    offset = 0
    for document in documents:
        rows = by_document.get(document.id, [])
        blocks.append(_block(index, doc_info(document), rows, batch_vectors[offset : offset + len(rows)]))
        offset += len(rows)
    return blocks


def _first_dimension(rows: list) -> int:
    return next((len(row.embedding) // 4 for row in rows if row.embedding), 0)


def _vectors(rows: list, dimension: int) -> np.ndarray:
    # A passage without a vector yet (a profile just saved) is found by its keywords until it has one.
    missing = bytes(4 * dimension)
    return np.frombuffer(
        b"".join(row.embedding if row.embedding and len(row.embedding) == 4 * dimension else missing for row in rows),
        dtype="<f4",
    ).reshape(len(rows), dimension)


def _block(index: SearchIndex, info: DocInfo, rows: list, vectors: np.ndarray) -> DocBlock:
    term_ids, term_counts = index.term_ids([terms(embedding_text(info.title, row.heading, row.text)) for row in rows])
    return DocBlock(
        info=info,
        chunk_ids=np.array([row.id for row in rows], dtype=np.int64),
        vectors=vectors,
        term_ids=term_ids,
        term_counts=term_counts,
    )


def doc_info(document: Document) -> DocInfo:
    meta = {k: v for k, v in (document.meta or {}).items() if k not in _INGEST_ONLY_META}
    return DocInfo(
        id=document.id,
        source_id=document.source_id,
        kind=document.kind,
        title=document.title,
        content_hash=document.content_hash,
        url=document.url,
        source_path=document.source_path,
        themes=_facet(document.themes),
        countries=_facet(document.countries),
        sectors=_facet(document.sectors),
        organisations=_facet(document.organisations),
        published_on=document.published_on,
        member_id=document.member_id,
        meta=meta,
    )


def _facet(values: list[str] | None) -> tuple[str, ...]:
    return tuple(values or ())


def release_free_memory() -> None:
    """Give the heap freed by a (re)load back to the system: loading allocates many short-lived rows and
    arrays, and glibc keeps such memory otherwise, so the process would stay at its loading peak."""
    import gc

    if gc.isenabled():  # paused while the model loads: a full collection then stalls everything for 0.25 s
        gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass
