"""Hybrid retrieval over the knowledge base's chunks, held in memory.

Dense: one float32 matrix of unit vectors, scored with an exact matrix-vector product. Measured at 1M
chunks on two shared cores (bench/latency.py): 54-60 ms p50, bound by memory bandwidth. An HNSW index
(usearch, 8-bit) answered in 15 ms but, on those random vectors, put the right document first for only
23% of the questions and took 400 s to build; a bfloat16 pass was slower in the whole search. Exact stays
simple and right at the sizes a community reaches. Keywords: BM25 (knowledge/bm25.py, the scores bm25s
gives) over the same passages. Both are reduced to one score per document (its best passage), fused,
filtered by facets (kind, theme, country, sector, date) and ranked. The index is built from per-document
blocks, so a refresh replaces only the documents that changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from knowledge.bm25 import KeywordIndex
from knowledge.embeddings import usable_cores
from knowledge.fusion import SHIPPED_FUSION, Fusion, Scales, best_first, fused_scores

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DocInfo:
    id: int
    source_id: str
    kind: str
    title: str
    content_hash: str
    url: str | None = None
    source_path: str = ""
    themes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    published_on: date | None = None
    member_id: int | None = None
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass
class DocBlock:
    """One document's share of the index: its chunks' ids, vectors and keyword term ids."""

    info: DocInfo
    chunk_ids: np.ndarray  # int64
    vectors: np.ndarray  # (n, dim) float32, unit rows
    term_ids: np.ndarray  # int32, every chunk's BM25 term ids one after the other
    term_counts: np.ndarray  # int32, how many of them belong to each chunk


@dataclass
class Filters:
    kinds: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None

    def is_empty(self) -> bool:
        return not any((self.kinds, self.themes, self.countries, self.sectors, self.since, self.until))

    def matches(self, doc: DocInfo) -> bool:
        return self._kind_matches(doc) and self._tags_match(doc) and self._date_matches(doc)

    def _kind_matches(self, doc: DocInfo) -> bool:
        return not self.kinds or doc.kind in self.kinds

    def _tags_match(self, doc: DocInfo) -> bool:
        """Each of themes, countries and sectors asked for: the document has at least one of them."""
        pairs = ((self.themes, doc.themes), (self.countries, doc.countries), (self.sectors, doc.sectors))
        return all(not wanted or wanted.intersection(have) for wanted, have in pairs)

    def _date_matches(self, doc: DocInfo) -> bool:
        """Within since and until where asked; a document without a date never matches a date range."""
        if not (self.since or self.until):
            return True
        if doc.published_on is None:
            return False
        return (not self.since or doc.published_on >= self.since) and (not self.until or doc.published_on <= self.until)


@dataclass(frozen=True)
class Hit:
    doc: DocInfo
    score: float
    dense: float  # best passage cosine
    keyword: float  # best passage BM25
    chunk_id: int  # the passage that matches best
    snippet_chunk_id: int  # the best passage of the text itself (not the facts overview), to show


def best_similarity(hits: Iterable[Hit]) -> float:
    """How well the best of the hits matches in meaning (its passage's cosine similarity): the measure of
    confidence, because the fused score's keyword side is relative to the best keyword match found."""
    return max((hit.dense for hit in hits), default=float("-inf"))


_blas: Any = None
# From this many passages on, the product is split in one part per core, one computed by the calling thread
# and the others by threads of ours: reading the matrix is its cost, and one thread reads about half as fast
# as two (100k passages on a quiet 2-core machine: 10.2 ms whole, 5.5 ms in two parts). Our threads sleep
# when they are done, unlike the matrix library's own (`_one_blas_thread`). Below it, handing parts over
# costs about what it saves.
SPLIT_PRODUCT_ROWS = 50_000
_product_pool: ThreadPoolExecutor | None = None


def _product(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector, in one part per core for a large matrix (see SPLIT_PRODUCT_ROWS)."""
    global _product_pool
    parts = min(usable_cores(), len(matrix) // (SPLIT_PRODUCT_ROWS // 2))
    if parts < 2:
        return matrix @ vector
    if _product_pool is None:
        _product_pool = ThreadPoolExecutor(usable_cores() - 1, thread_name_prefix="dense-product")
    out = np.empty(len(matrix), dtype=np.float32)
    bounds = np.linspace(0, len(matrix), parts + 1, dtype=np.int64)

    def part(index: int) -> None:
        start, end = int(bounds[index]), int(bounds[index + 1])
        # numpy's own loop, not the matrix library: held to one thread (`_one_blas_thread`), it ran two
        # parts called from two threads one after the other (9 ms for the two halves of 100k passages,
        # against 5.4 ms this way).
        np.einsum("ij,j->i", matrix[start:end], vector, out=out[start:end])

    # The calling thread computes the first part itself: it is running already, the others wake up.
    others = [_product_pool.submit(part, index) for index in range(1, parts)]
    part(0)
    for other in others:
        other.result()
    return out


def _one_blas_thread() -> Any:  # noqa: ANN401 - threadpoolctl's context manager
    """The matrix library on one thread: its idle threads spin for a while after each product, taking the
    core the embedding engine needs for the next question (its encode slowed from 18 to 34 ms at 100k
    passages); large products are split by `_product` instead."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


class _Snapshot:
    """The arrays one search reads; replaced whole on every change, so a search never sees half an update."""

    def __init__(self, blocks: list[DocBlock], dimension: int, vocabulary_size: int) -> None:
        self.docs: list[DocInfo] = [b.info for b in blocks]
        self.doc_position = {doc.id: i for i, doc in enumerate(self.docs)}
        counts = np.array([len(b.chunk_ids) for b in blocks], dtype=np.int64)
        self.starts = np.zeros(len(blocks), dtype=np.int64)
        if len(blocks):
            self.starts[1:] = np.cumsum(counts)[:-1]
        self.ends = self.starts + counts
        total = int(counts.sum())
        self.chunk_ids = np.zeros(total, dtype=np.int64)
        # np.empty touches no memory until written, and each block's own array is released once it is
        # copied in, so loading never holds two copies of every vector.
        self.matrix = np.empty((total, dimension), dtype=np.float32)
        self._copy_in(blocks)
        # Documents with no vector yet (a member profile just saved: its passages are stored as zeros until
        # they are embedded) are judged on their keywords alone.
        self.vectorless = self._vectorless()
        self.vocabulary_size = vocabulary_size
        self._build_facets()
        self.bm25 = self._build_bm25(blocks, vocabulary_size)

    def _copy_in(self, blocks: list[DocBlock]) -> None:
        """Each block's passage ids and vectors into the one array; the block keeps a view of its rows."""
        for block, start in zip(blocks, self.starts, strict=True):
            end = start + len(block.chunk_ids)
            self.chunk_ids[start:end] = block.chunk_ids
            self.matrix[start:end] = block.vectors
            block.vectors = self.matrix[start:end]

    def _vectorless(self) -> np.ndarray:
        """Per document: whether all its passages' vectors are zeros."""
        if not len(self.matrix):
            return np.zeros(len(self.starts), dtype=bool)
        has_vector = np.any(self.matrix != 0, axis=1)
        return ~np.logical_or.reduceat(has_vector, self.starts)

    def _build_facets(self) -> None:
        self.facets: dict[tuple[str, str], np.ndarray] = {}
        n = len(self.docs)
        for position, doc in enumerate(self.docs):
            for name, values in (("kind", (doc.kind,)), ("theme", doc.themes), ("country", doc.countries), ("sector", doc.sectors)):
                for value in values:
                    mask = self.facets.get((name, value))
                    if mask is None:
                        mask = self.facets[(name, value)] = np.zeros(n, dtype=bool)
                    mask[position] = True
        self.dates = np.array([doc.published_on.toordinal() if doc.published_on else -1 for doc in self.docs], dtype=np.int64)
        # Until when a document counts for `since`: a pilot while it runs (to its end), anything else its date.
        self.last_dates = np.array([_end_ordinal(doc, start) for doc, start in zip(self.docs, self.dates, strict=True)],
                                   dtype=np.int64)

    @staticmethod
    def _build_bm25(blocks: list[DocBlock], vocabulary_size: int) -> KeywordIndex | None:
        if not blocks:
            return None
        flat = np.concatenate([b.term_ids for b in blocks])
        counts = np.concatenate([b.term_counts for b in blocks])
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        # As with the vectors: blocks keep views of the one array, their own arrays are released.
        chunk_start = 0
        for block in blocks:
            chunk_end = chunk_start + len(block.term_counts)
            block.term_ids = flat[offsets[chunk_start] : offsets[chunk_end]]
            block.term_counts = counts[chunk_start:chunk_end]
            chunk_start = chunk_end
        return KeywordIndex(flat, counts, vocabulary_size)


class SearchIndex:
    """Documents as blocks, assembled into a snapshot of search arrays after every change."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.vocabulary: dict[str, int] = {}
        self._blocks: dict[int, DocBlock] = {}
        self._snapshot = _Snapshot([], dimension, 0)
        self._names: list[str] | None = None  # term id -> term, built when needed

    def __len__(self) -> int:
        return len(self._snapshot.docs)

    @property
    def chunk_count(self) -> int:
        return len(self._snapshot.chunk_ids)

    @property
    def docs(self) -> list[DocInfo]:
        return self._snapshot.docs

    def document(self, doc_id: int) -> DocInfo | None:
        block = self._blocks.get(doc_id)
        return block.info if block else None

    def content_hashes(self) -> dict[int, str]:
        return {doc_id: block.info.content_hash for doc_id, block in self._blocks.items()}

    def term_ids(self, chunk_terms: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Compact (ids, counts) for chunks' terms; new terms join the vocabulary."""
        vocabulary = self.vocabulary
        ids = []
        for term in (t for terms in chunk_terms for t in terms):
            found = vocabulary.get(term)
            if found is None:
                found = vocabulary[term] = len(vocabulary)
            ids.append(found)
        counts = np.fromiter((len(t) for t in chunk_terms), dtype=np.int32, count=len(chunk_terms))
        return np.asarray(ids, dtype=np.int32), counts

    def update(self, blocks: Iterable[DocBlock], removed: Iterable[int] = ()) -> None:
        """Add or replace documents and drop removed ones, then swap in fresh search arrays."""
        blocks = list(blocks)
        for doc_id in [*removed, *(b.info.id for b in blocks)]:
            self._blocks.pop(doc_id, None)
        for block in blocks:
            if len(block.chunk_ids):
                self._blocks[block.info.id] = block
        ordered = sorted(self._blocks.values(), key=lambda b: b.info.id)
        if ordered:
            self.dimension = int(ordered[0].vectors.shape[1])
        self._snapshot = _Snapshot(ordered, self.dimension, len(self.vocabulary))

    # --- Searching ----------------------------------------------------------------------------------

    def doc_mask(self, filters: Filters, snapshot: _Snapshot | None = None) -> np.ndarray:
        snap = snapshot or self._snapshot
        mask = np.ones(len(snap.docs), dtype=bool)
        for name, wanted in (("kind", filters.kinds), ("theme", filters.themes), ("country", filters.countries), ("sector", filters.sectors)):
            if wanted:
                mask &= _any_facet(snap, name, wanted)
        _limit_to_dates(mask, snap, filters)
        return mask

    def search(
        self,
        query_vector: np.ndarray | None,
        query_terms: list[str],
        filters: Filters | None = None,
        *,
        limit: int = 25,
        fusion: Fusion = SHIPPED_FUSION,
        exclude: Iterable[int] = (),
    ) -> list[Hit]:
        """The best `limit` documents for a query, one hit per document with its best passage."""
        snap = self._snapshot
        if not snap.docs or limit <= 0:
            return []
        mask = self._eligible(snap, filters or Filters(), exclude)
        if not mask.any():
            return []
        dense = _dense_scores(snap, query_vector, fusion)
        keyword, known_share = self._keyword_scores(snap, query_terms, fusion)
        dense_doc = np.maximum.reduceat(dense, snap.starts)
        keyword_doc = np.maximum.reduceat(keyword, snap.starts)
        # A document whose passages have no vector yet (a profile saved a moment ago) is judged on its keywords
        # alone rather than ranked as the least similar of all.
        vectorless = snap.vectorless if query_vector is not None else np.zeros_like(mask)
        scales = Scales.of(fusion, dense_doc, keyword_doc, mask, vectorless, known_share)
        fused = fused_scores(fusion, scales, dense_doc, keyword_doc, mask, vectorless)
        passage_alpha = fusion.alpha if fusion.method == "convex" else 0.5
        return [
            _hit(snap, position, float(fused[position]), dense, keyword, scales, passage_alpha)
            for position in best_first(fused, mask, limit)
        ]

    def _eligible(self, snap: _Snapshot, filters: Filters, exclude: Iterable[int]) -> np.ndarray:
        """Which documents may be found: those matching the filters, less the excluded ones."""
        mask = self.doc_mask(filters, snap)
        for doc_id in exclude:
            position = snap.doc_position.get(doc_id)
            if position is not None:
                mask[position] = False
        return mask

    def _keyword_scores(self, snap: _Snapshot, query_terms: list[str], fusion: Fusion) -> tuple[np.ndarray, float]:
        """Every passage's BM25 score, and the share of the question's distinct terms the index knows."""
        ids = self._known_term_ids(query_terms, snap)
        known_share = len(ids) / len(set(query_terms)) if query_terms else 0.0
        if snap.bm25 is not None and ids and fusion.method != "dense":
            return snap.bm25.scores(ids), known_share
        return np.zeros(len(snap.chunk_ids), dtype=np.float32), known_share

    def known_share(self, query_terms: list[str]) -> float:
        """The share of the question's distinct terms that occur in the knowledge base: near 1 for a
        question in the language the passages are written in, near 0 for another language (or noise)."""
        if not query_terms:
            return 0.0
        return len(self._known_term_ids(query_terms, self._snapshot)) / len(set(query_terms))

    def passages_holding(self, term: str) -> int:
        """In how many passages a term occurs (0: the knowledge base does not hold it)."""
        snap = self._snapshot
        term_id = self.vocabulary.get(term)
        if term_id is None or snap.bm25 is None or term_id >= snap.vocabulary_size:
            return 0
        return snap.bm25.frequency(term_id)

    def term_weights(self, query_terms: Iterable[str]) -> dict[str, float]:
        """Each term's inverse passage frequency, log(1 + passages / passages containing it); a term the
        knowledge base does not hold weighs as much as the rarest one."""
        snap = self._snapshot
        passages = len(snap.chunk_ids)
        unseen = float(np.log1p(max(passages, 1)))
        weights = {}
        for term in query_terms:
            frequency = self.passages_holding(term)
            weights[term] = float(np.log1p(passages / frequency)) if frequency else unseen
        return weights

    def document_terms(self, doc_id: int, *, first_passage: bool = False) -> frozenset[str]:
        """The terms of a document's passages (or of its first: the overview of title, themes, sectors,
        countries, tags or expertise that ingest writes first)."""
        block = self._blocks.get(doc_id)
        if block is None:
            return frozenset()
        ids = block.term_ids[: int(block.term_counts[0])] if first_passage and len(block.term_counts) else block.term_ids
        names = self._term_names()
        return frozenset(names[i] for i in np.unique(ids) if i < len(names))

    def _term_names(self) -> list[str]:
        names = self._names
        if names is None or len(names) != len(self.vocabulary):
            names = [""] * len(self.vocabulary)
            for term, term_id in self.vocabulary.items():
                names[term_id] = term
            self._names = names
        return names

    def _known_term_ids(self, query_terms: list[str], snap: _Snapshot) -> list[int]:
        found = (self.vocabulary.get(t) for t in query_terms)
        return sorted({i for i in found if i is not None and i < snap.vocabulary_size})

    def browse(self, filters: Filters, *, limit: int = 25, exclude: Iterable[int] = ()) -> list[DocInfo]:
        """Documents matching the filters, newest first (for a filter without a question)."""
        snap = self._snapshot
        mask = self.doc_mask(filters, snap)
        excluded = set(exclude)
        docs = [doc for doc, keep in zip(snap.docs, mask, strict=True) if keep and doc.id not in excluded]
        docs.sort(key=lambda d: (d.published_on or date.min, d.title), reverse=True)
        return docs[:limit]

    def facet_values(self, name: str) -> list[str]:
        return sorted({value for (facet, value) in self._snapshot.facets if facet == name})


def _any_facet(snap: _Snapshot, name: str, wanted: frozenset[str]) -> np.ndarray:
    """The documents with any of the `wanted` values of one facet (kind, theme, country or sector)."""
    any_of = np.zeros(len(snap.docs), dtype=bool)
    for value in wanted:
        found = snap.facets.get((name, value))
        if found is not None:
            any_of |= found
    return any_of


def _end_ordinal(doc: DocInfo, start: int) -> int:
    """A document's last day as an ordinal: its `end` fact (a pilot's); for a pilot with a start and no end
    (still running, or planned), no last day; else its date (-1: none)."""
    end = doc.meta.get("end")
    if not end:
        return STILL_RUNNING if doc.kind == "pilot" and start >= 0 and doc.meta.get("status") != "completed" else start
    try:
        return max(date.fromisoformat(str(end)[:10]).toordinal(), start)
    except ValueError:  # ingest checks the dates it stores; an older row may hold anything
        return start


STILL_RUNNING = date.max.toordinal()


def _limit_to_dates(mask: np.ndarray, snap: _Snapshot, filters: Filters) -> None:
    """Leaves in `mask` only documents dated within the filters' dates (none without a date): a pilot counts
    from its start to its end, so `since:2024` holds a pilot that ran into 2024."""
    if filters.since:
        mask &= snap.last_dates >= filters.since.toordinal()
    if filters.until:
        mask &= (snap.dates >= 0) & (snap.dates <= filters.until.toordinal())


def _dense_scores(snap: _Snapshot, query_vector: np.ndarray | None, fusion: Fusion) -> np.ndarray:
    """Every passage's cosine similarity to the question (zeros for a keyword-only search)."""
    if query_vector is None or fusion.method == "bm25":
        return np.zeros(len(snap.chunk_ids), dtype=np.float32)
    with _one_blas_thread():
        return _product(snap.matrix, np.asarray(query_vector, dtype=np.float32))


def _hit(
    snap: _Snapshot, position: int, score: float, dense: np.ndarray, keyword: np.ndarray, scales: Scales, alpha: float
) -> Hit:
    """The document at `position` with its best passage, and the best passage of its text to show."""
    start, end = int(snap.starts[position]), int(snap.ends[position])
    passage_scores = (
        alpha * scales.dense_scale * (dense[start:end] - scales.dense_floor)
        + (1 - alpha) * scales.keyword_scale * keyword[start:end]
    )
    best = start + int(np.argmax(passage_scores))
    # The first chunk restates the document's facts; show the best passage of its text instead.
    snippet = best if best != start or end - start == 1 else start + 1 + int(np.argmax(passage_scores[1:]))
    return Hit(
        doc=snap.docs[position],
        score=score,
        dense=float(dense[best]),
        keyword=float(keyword[best]),
        chunk_id=int(snap.chunk_ids[best]),
        snippet_chunk_id=int(snap.chunk_ids[snippet]),
    )
