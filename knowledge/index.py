"""The search index of this process, kept in step with the database, and the searches over it.

Before a search it reads the single `knowledge_version` row (at most every few seconds); when another
process, an ingest or an erasure has changed the knowledge base, it reloads only the documents whose
content hash changed. A search that arrives while a new installation's knowledge folder is still loading
answers from what is stored so far and says results may improve shortly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from knowledge.blocks import build_blocks, release_free_memory
from knowledge.confidence import Match, gather_evidence, judge
from knowledge.directory import Contact, People, look_up_people, one_per_person
from knowledge.embeddings import Encoder, run_on_model_thread
from knowledge.language import fused_query_vector, query_terms
from knowledge.model import KnowledgeError
from knowledge.search import SHIPPED_FUSION, DocBlock, DocInfo, Filters, Fusion, Hit, SearchIndex
from knowledge.spelling import read_question
from knowledge.terms import shared_words
from storage.database import Database
from storage.models import Chunk, Document, KnowledgeVersion

if TYPE_CHECKING:
    from knowledge.model import EmbeddingModel
    from knowledge.readiness import Readiness

log = logging.getLogger(__name__)

CHECK_INTERVAL_SECONDS = 2.0
LOAD_BATCH_DOCUMENTS = 500
# A search that waited longer than this for the warm-up says so in its answer.
WARM_UP_NOTE_SECONDS = 2.0
# While a new installation's knowledge folder is still loading and nothing at all is searchable yet, a
# search waits up to this long for it (the demo, with its shipped vectors, loads within about a second).
FIRST_RESULTS_WAIT_SECONDS = 2.5


@dataclass(frozen=True)
class Passage:
    heading: str | None
    text: str


@dataclass(frozen=True)
class Result:
    """A hit ready to show: the document, its best passage and the words it shares with the question."""

    hit: Hit
    passage: Passage  # the best-matching passage (the "why")
    shared: list[str]
    snippet: Passage  # what to show: the best passage of the document's own text
    contact: Contact | None = None  # for an expert profile that belongs to a member

    @property
    def doc(self) -> DocInfo:
        return self.hit.doc


@dataclass(frozen=True)
class Answer:
    results: list[Result]
    query: str  # the text actually searched (after any truncation)
    truncated: bool
    waited_for_warm_up: bool = False  # the model or index was still loading after a restart
    # A first start was still embedding its knowledge folder: answered from what
    # was ready, so results may improve shortly.
    still_loading: bool = False
    # How well the results answer the question (knowledge/confidence.py): WEAK, the knowledge base most
    # likely does not answer it; UNSURE, they may only partly answer it.
    match: Match = Match.CONFIDENT
    # The question with its typing slips corrected ("obesitty" searched as "obesity"); "" when it had none.
    corrected: str = ""

    @property
    def weak(self) -> bool:
        return self.match is Match.WEAK

    @property
    def unsure(self) -> bool:
        return self.match is Match.UNSURE


@dataclass(frozen=True)
class _Searched:
    hits: list[Hit]
    query: str
    truncated: bool
    match: Match = Match.CONFIDENT
    corrected: str = ""


class LiveIndex:
    """The in-memory index of every stored document, reloaded in part when the knowledge version changes."""

    def __init__(
        self,
        db: Database,
        model: EmbeddingModel,
        readiness: Readiness,
        *,
        check_interval: float = CHECK_INTERVAL_SECONDS,
        fusion: Fusion = SHIPPED_FUSION,
    ) -> None:
        self.db = db
        self.model = model
        self.readiness = readiness
        self.check_interval = check_interval
        self.fusion = fusion
        self.current: SearchIndex | None = None
        self.version: int | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()
        self._start_up_pending = False
        self._start_up_done = asyncio.Event()  # the start-up's ingest and first index build are over

    # --- The start-up's first build ---------------------------------------------------------------------

    def start_up_begins(self) -> None:
        """Searches wait for the start-up's first build rather than build their own meanwhile."""
        self._start_up_pending = True

    def start_up_ends(self) -> None:
        self._start_up_done.set()

    @property
    def still_loading(self) -> bool:
        """Whether a new installation's knowledge folder is still being embedded: searches meanwhile answer
        from what is stored."""
        return self.readiness.loading_knowledge

    # --- Keeping in step with the database -----------------------------------------------------------

    def invalidate(self) -> None:
        """Check the knowledge version before the next search (this process just changed it)."""
        self._checked_at = float("-inf")

    async def ensure_fresh(self) -> SearchIndex:
        if self.still_loading:
            return await self._what_is_stored_so_far()
        if self._start_up_pending and not self._start_up_done.is_set():
            await self._start_up_done.wait()  # the warm-up's first index build
        return await self.refresh()

    async def _what_is_stored_so_far(self) -> SearchIndex:
        # Each document is stored as soon as it is embedded: look at what is there now.
        self.invalidate()
        index = await self.refresh()
        if len(index) == 0 and not self._start_up_done.is_set():
            # Nothing searchable yet: give the first documents a moment.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._start_up_done.wait()), FIRST_RESULTS_WAIT_SECONDS)
            self.invalidate()
            index = await self.refresh()
        return index

    def _recently_checked(self) -> bool:
        return self.current is not None and time.monotonic() - self._checked_at < self.check_interval

    async def refresh(self, *, ready: bool = True) -> SearchIndex:
        """The index, reloaded first if the knowledge version changed since the last check. `ready=False`:
        not reported ready yet (the start-up still has work to do on it)."""
        index = await self._refreshed()
        if ready and not self.still_loading:
            self.readiness.index_done()
        return index

    async def _refreshed(self) -> SearchIndex:
        if self._recently_checked():
            return self.current
        async with self._lock:
            if self._recently_checked():
                return self.current
            version = await self._stored_version()
            if self.current is None or version != self.version:
                await self._reload()
                self.version = version
            self._checked_at = time.monotonic()
            assert self.current is not None
            return self.current

    async def _stored_version(self) -> int:
        async with self.db.session() as session:
            version = (await session.execute(select(KnowledgeVersion.version).where(KnowledgeVersion.id == 1))).scalar()
        return version or 0

    async def _reload(self) -> None:
        started = time.perf_counter()
        async with self.db.session() as session:
            stored = dict((await session.execute(select(Document.id, Document.content_hash))).all())
        changed, removed = _changes(self.current.content_hashes() if self.current is not None else {}, stored)
        if self.current is not None and not changed and not removed:
            return
        index, changed, removed = await self._at_stored_width(stored, changed, removed)
        loaded = await self._update(index, changed, removed)
        log.info(
            "knowledge index: %d documents, %d chunks (%d loaded, %d removed) in %.2f s",
            len(index), index.chunk_count, loaded, len(removed), time.perf_counter() - started,
        )

    async def _at_stored_width(
        self, stored: dict[int, str], changed: list[int], removed: list[int]
    ) -> tuple[SearchIndex, list[int], list[int]]:
        """The index to update, sized like the stored vectors, and what to load into it."""
        width = await self._stored_dimension()
        if self.current is not None and width and width != self.current.dimension:
            # The stored vectors have another width (the first vectors after keyword-only passages, or a new
            # model): start afresh at theirs.
            self.current = None
            changed, removed = sorted(stored), []
        if self.current is None:
            self.current = SearchIndex(width or 0)  # 0: taken from the first vectors
        return self.current, changed, removed

    async def _update(self, index: SearchIndex, changed: list[int], removed: list[int]) -> int:
        """Load the changed documents into `index` and drop the removed ones; returns how many were loaded."""
        blocks: list[DocBlock] = []
        for start in range(0, len(changed), LOAD_BATCH_DOCUMENTS):
            blocks.extend(await self._load_blocks(index, changed[start : start + LOAD_BATCH_DOCUMENTS]))
        loaded = len(blocks)
        await asyncio.to_thread(index.update, blocks, removed)
        del blocks
        release_free_memory()
        return loaded

    async def _load_blocks(self, index: SearchIndex, document_ids: list[int]) -> list[DocBlock]:
        async with self.db.session() as session:
            documents = (await session.execute(select(Document).where(Document.id.in_(document_ids)))).scalars().all()
            chunk_rows = (
                await session.execute(
                    select(Chunk.document_id, Chunk.id, Chunk.heading, Chunk.text, Chunk.embedding)
                    .where(Chunk.document_id.in_(document_ids))
                    .order_by(Chunk.document_id, Chunk.ordinal)
                )
            ).all()
        if any(not row.embedding for row in chunk_rows):
            self.model.embed_soon()  # a passage without a vector yet (a profile just saved) gets one in the background
        # Reading every passage's terms is pure Python and takes a while on a big knowledge base: off the loop.
        return await asyncio.to_thread(build_blocks, index, list(documents), chunk_rows)

    async def _stored_dimension(self) -> int | None:
        """The vector size in the database, so an index can load without loading the model."""
        async with self.db.session() as session:
            sample = (await session.execute(select(Chunk.embedding).where(Chunk.embedding.is_not(None)).limit(1))).scalar()
        return len(sample) // 4 if sample else None

    # --- Asking --------------------------------------------------------------------------------------

    async def is_empty(self) -> bool:
        index = await self.ensure_fresh()
        return len(index) == 0

    async def search(
        self, text: str, filters: Filters | None = None, *, limit: int = 25, exclude: tuple[int, ...] = ()
    ) -> Answer:
        warming = not self.readiness.ready.is_set()
        started = time.monotonic()
        index = await self.ensure_fresh()
        if not text.strip():
            return Answer([], "", False)
        encoder = await self.model.load()
        waited = warming and time.monotonic() - started > WARM_UP_NOTE_SECONDS
        if self.model.has_stale_documents(index, encoder):
            await self.model.reembed_stale()
            index = await self.ensure_fresh()
        searched = await run_on_model_thread(
            _search_on_model_thread, encoder, index, text, filters, limit, self.fusion, exclude
        )
        return Answer(
            await self._with_passages(searched.hits, searched.corrected or searched.query), searched.query,
            searched.truncated, waited_for_warm_up=waited, match=searched.match, still_loading=self.still_loading,
            corrected=searched.corrected,
        )

    async def _with_passages(self, hits: list[Hit], query: str) -> list[Result]:
        """Best passages and member contacts for the hits, in one database round; hidden people dropped."""
        if not hits:
            return []
        async with self.db.reading() as connection:
            rows = (
                await connection.execute(
                    select(Chunk.id, Chunk.heading, Chunk.text).where(
                        Chunk.id.in_({h.chunk_id for h in hits} | {h.snippet_chunk_id for h in hits})
                    )
                )
            ).all()
            people = await look_up_people(connection, [h.doc for h in hits])
        passages = {row.id: Passage(row.heading, row.text) for row in rows}
        wanted = set(query_terms(query))  # with the English of a question in another language
        shown = [hit for hit in hits if not people.hides(hit.doc)]
        return one_per_person([_result(hit, passages, wanted, people) for hit in shown], lambda r: r.doc)

    async def browse(self, filters: Filters, *, limit: int = 25, exclude: tuple[int, ...] = ()) -> list[DocInfo]:
        index = await self.ensure_fresh()
        docs = index.browse(filters, limit=limit + 50, exclude=exclude)
        async with self.db.reading() as connection:
            people = await look_up_people(connection, docs)
        shown = [d for d in docs if not people.hides(d)]
        return one_per_person(shown, lambda d: d)[:limit]


def _changes(known: dict[int, str], stored: dict[int, str]) -> tuple[list[int], list[int]]:
    """Documents whose stored content differs from the index's (or are new), and documents gone."""
    changed = sorted(doc_id for doc_id, content_hash in stored.items() if known.get(doc_id) != content_hash)
    removed = [doc_id for doc_id in known if doc_id not in stored]
    return changed, removed


def _search_on_model_thread(
    encoder: Encoder, index: SearchIndex, text: str, filters: Filters | None, limit: int, fusion: Fusion,
    exclude: tuple[int, ...],
) -> _Searched:
    used, truncated = encoder.truncate(text)
    # Keyword terms in the question's language and their English, its typing slips corrected.
    reading = read_question(used, index.passages_holding)
    analysis = reading.analysis
    vector = fused_query_vector(encoder, encoder.encode_query(used), reading.other)
    if len(index) and index.dimension == 0:  # no passage has a vector yet: keywords only
        hits = index.search(None, analysis.terms, filters, limit=limit, fusion=fusion, exclude=exclude)
        return _Searched(hits, used, truncated, corrected=reading.corrected)
    if len(index) and vector.shape[0] != index.dimension:
        raise KnowledgeError(
            f"The stored embeddings have {index.dimension} dimensions but the model {encoder.name} makes "
            f"{vector.shape[0]}; ingest the knowledge base again with this model."
        )
    hits = index.search(vector, analysis.terms, filters, limit=limit, fusion=fusion, exclude=exclude)
    match = judge(encoder, gather_evidence(encoder, index, vector, analysis, hits)) if hits else Match.CONFIDENT
    return _Searched(hits, used, truncated, match, reading.corrected)


def _result(hit: Hit, passages: dict[int, Passage], wanted: set[str], people: People) -> Result:
    passage = passages.get(hit.chunk_id, Passage(None, ""))
    shared = shared_words(wanted, f"{hit.doc.title} {passage.heading or ''} {passage.text}")
    return Result(hit, passage, shared, passages.get(hit.snippet_chunk_id, passage), people.contact(hit.doc))
