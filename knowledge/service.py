"""The knowledge base as one per-process service: the search index kept in step with the database.

One per process (the bot's runtime builds it as `knowledge`). Before a search it reads the single
`knowledge_version` row (at most every few seconds); when another process, an ingest or an erasure has
changed the knowledge base, it reloads only the documents whose content hash changed.

At process start `warm_up()` loads the embedding model, fills an empty knowledge base and builds the index,
all off the event loop: the adapters answer meanwhile (`readiness` tells health checks how far the warm-up
is). A search that arrives early waits for the model (about a second), but not for knowledge still being
embedded: it answers from what is stored so far and says results may improve shortly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from sqlalchemy import func, select, update

from knowledge.chunking import embedding_text
from knowledge.confidence import gather_evidence, is_weak, reference_vectors
from knowledge.embeddings import Encoder, get_encoder, load_model, run_on_model_thread, to_bytes
from knowledge.ingest import EMBEDDING_MODEL_KEY, SOURCE_HASH_KEY, IngestReport, ProgressCallback, embedded_hash, ingest
from knowledge.language import analyse, fused_query_vector, query_terms
from knowledge.profiles import embed_pending, embedded_by_other_model, forget_other_model_vectors, is_member_profile
from knowledge.readiness import Readiness
from knowledge.search import SHIPPED_FUSION, DocBlock, DocInfo, Filters, Fusion, Hit, SearchIndex
from knowledge.sources import ReadLimits
from knowledge.terms import shared_words, terms
from knowledge.version import bump_version
from storage.database import Database
from storage.models import Chunk, Document, KnowledgeVersion, Member

if TYPE_CHECKING:
    from config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

CHECK_INTERVAL_SECONDS = 2.0
LOAD_BATCH_DOCUMENTS = 500
# A search that waited longer than this for the warm-up says so in its answer.
WARM_UP_NOTE_SECONDS = 2.0
# While a new installation's knowledge folder is still loading and nothing at all is searchable yet, a
# search waits up to this long for it (the demo, with its shipped vectors, loads within about a second).
FIRST_RESULTS_WAIT_SECONDS = 2.5
REEMBED_BATCH_DOCUMENTS = 100


class KnowledgeError(Exception):
    """The knowledge base cannot answer as configured (the message says what to do)."""


@dataclass(frozen=True)
class Passage:
    heading: str | None
    text: str


@dataclass(frozen=True)
class Contact:
    """The member behind an expert profile, as far as search results need them."""

    member_id: int
    organisation_id: int | None
    consent_introductions: bool


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
    # Even the best result matches poorly (below the model's calibrated threshold): the knowledge base
    # most likely does not answer this question.
    weak: bool = False


class KnowledgeService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        encoder: Encoder | None = None,
        check_interval: float = CHECK_INTERVAL_SECONDS,
        fusion: Fusion = SHIPPED_FUSION,
        load_model: Callable[[str], Awaitable[Encoder]] = load_model,
    ) -> None:
        self.db = db
        self.settings = settings
        self._encoder = encoder
        self._load_model = load_model  # tests pass a slow fake
        self._model_loading: asyncio.Future[Encoder] | None = None
        self._warm_up: asyncio.Task[None] | None = None
        self._data_ready = asyncio.Event()  # the warm-up's ingest and first index build are over
        self.readiness = Readiness()
        if encoder is not None:
            self.readiness.model_done()
        self.check_interval = check_interval
        self.fusion = fusion
        self.index: SearchIndex | None = None
        self.version: int | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()
        self._expert_links: tuple[list[DocInfo], dict[str, list[DocInfo]]] | None = None
        self._profiles: tuple[list[DocInfo], dict[int, tuple[int, ...]]] | None = None
        self._stale_checked: list[DocInfo] | None = None
        self._stale = False
        self._reembed_lock = asyncio.Lock()
        self._embedding: asyncio.Task | None = None
        self._filling: asyncio.Task | None = None

    @property
    def encoder(self) -> Encoder:
        """The encoder, loaded here and now if need be (blocking): on the event loop, use `await model()`."""
        if self._encoder is None:
            self._encoder = get_encoder(self.settings.embedding_model)
            self.readiness.model_done()
        return self._encoder

    async def model(self) -> Encoder:
        """The encoder; the first call starts loading it (or joins the load `main.py` began), and every caller
        waits for that one load without blocking the event loop."""
        if self._encoder is not None:
            return self._encoder
        if self._model_loading is None:
            self._model_loading = asyncio.ensure_future(self._load())
        return await asyncio.shield(self._model_loading)

    async def _load(self) -> Encoder:
        name = self.settings.embedding_model
        started = time.perf_counter()
        try:
            encoder = await self._load_model(name)
        except Exception as exc:
            reason = f"the embedding model {name} could not be loaded ({exc.__class__.__name__}: {exc})"
            self.readiness.model_failed(reason)
            log.error("%s", reason)
            raise KnowledgeError(f"Search is unavailable: {reason}. An admin should check LIGHTHOUSE_EMBEDDING_MODEL.") from None
        self._encoder = encoder
        self.readiness.model_done()
        log.info("embedding model %s loaded in %.1f s", name, time.perf_counter() - started)
        return encoder

    # --- Start-up ----------------------------------------------------------------------------------------

    def warm_up(self) -> asyncio.Task[None]:
        """Start loading the model, filling an empty knowledge base and building the index, in the background."""
        if self._warm_up is None:
            self._warm_up = asyncio.create_task(self._warm(), name="knowledge-warm-up")
        return self._warm_up

    async def _warm(self) -> None:
        model = asyncio.ensure_future(self.model())
        try:
            try:
                await self.fill_when_empty()
                await self._refresh()
            except Exception as exc:
                self.readiness.index_failed(f"the knowledge index could not be built ({exc.__class__.__name__})")
                log.exception("building the knowledge index at start-up failed; searches will try again")
            finally:
                self._data_ready.set()
            encoder = await model
            # The confidence check's reference sentences (shipped, or embedded now rather than at the first search).
            await run_on_model_thread(reference_vectors, encoder)
        except KnowledgeError:
            pass  # logged where it happened; searches answer with the reason
        except asyncio.CancelledError:
            model.cancel()
            raise

    async def close(self) -> None:
        """Stop a warm-up still running (the process is shutting down)."""
        if self._warm_up is not None and not self._warm_up.done():
            self._warm_up.cancel()
            try:
                await self._warm_up
            except asyncio.CancelledError:
                pass

    async def fill_when_empty(self) -> None:
        """A new installation gets the configured knowledge folder (the demo by default), once: callers at the
        same time (the warm-up and another) share one run."""
        if self._filling is None or self._filling.done():
            self._filling = asyncio.ensure_future(self._fill_when_empty())
        await asyncio.shield(self._filling)

    async def _fill_when_empty(self) -> None:
        settings = self.settings
        if not settings.ingest_demo_on_empty:
            return
        if await self.document_count() > 0:
            # A changed embedding model: embed the knowledge base again now rather than at the first question.
            await self.reembed_stale()
            return
        folder = Path(settings.knowledge_dir)
        if not folder.exists():
            log.warning("the knowledge base is empty and %s does not exist; nothing to ingest", folder)
            return
        # Normal start-up news (INFO); only real problems are warnings. It runs in the background while the
        # console's prompt is live, so no progress bar here (`python main.py ingest` has one).
        log.info("First start: loading %s/ into the knowledge base (once; this takes a minute)…", folder.name)
        self.readiness.loading_knowledge = True
        try:
            report = await self.ingest(folder)
        finally:
            self.readiness.loading_knowledge = False
        for problem in report.errors:
            log.warning("ingest: %s", problem)
        log.info("Knowledge base ready: %s", report.summary())

    # --- Keeping in step with the database -----------------------------------------------------------

    def invalidate(self) -> None:
        """Check the knowledge version before the next search (this process just changed it)."""
        self._checked_at = float("-inf")

    @property
    def still_loading(self) -> bool:
        """Whether a new installation's knowledge folder is still being embedded: searches meanwhile answer
        from what is stored."""
        return self.readiness.loading_knowledge

    async def ensure_fresh(self) -> SearchIndex:
        if self.still_loading:
            # Each document is stored as soon as it is embedded: look at what is there now.
            self.invalidate()
            index = await self._refresh()
            if len(index) == 0 and not self._data_ready.is_set():
                # Nothing searchable yet: give the first documents a moment.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(self._data_ready.wait()), FIRST_RESULTS_WAIT_SECONDS)
                self.invalidate()
                index = await self._refresh()
            return index
        if self._warm_up is not None and not self._data_ready.is_set():
            await self._data_ready.wait()  # the warm-up's first index build
        return await self._refresh()

    async def _refresh(self) -> SearchIndex:
        if self.index is not None and time.monotonic() - self._checked_at < self.check_interval:
            return self.index
        async with self._lock:
            if self.index is not None and time.monotonic() - self._checked_at < self.check_interval:
                return self.index
            async with self.db.session() as session:
                version = (await session.execute(select(KnowledgeVersion.version).where(KnowledgeVersion.id == 1))).scalar()
            version = version or 0
            if self.index is None or version != self.version:
                await self._reload()
                self.version = version
            self._checked_at = time.monotonic()
            assert self.index is not None
            if not self.still_loading:
                self.readiness.index_done()
            return self.index

    async def _reload(self) -> None:
        started = time.perf_counter()
        async with self.db.session() as session:
            current = dict((await session.execute(select(Document.id, Document.content_hash))).all())
        known = self.index.content_hashes() if self.index is not None else {}
        changed = sorted(doc_id for doc_id, content_hash in current.items() if known.get(doc_id) != content_hash)
        removed = [doc_id for doc_id in known if doc_id not in current]
        if self.index is not None and not changed and not removed:
            return
        stored = await self._stored_dimension()
        if self.index is not None and stored and stored != self.index.dimension:
            # The stored vectors have another width (the first vectors after keyword-only passages, or a new
            # model): start afresh at theirs.
            self.index = None
            changed, removed = sorted(current), []
        if self.index is None:
            self.index = SearchIndex(stored or 0)  # 0: taken from the first vectors
        index = self.index
        blocks: list[DocBlock] = []
        for start in range(0, len(changed), LOAD_BATCH_DOCUMENTS):
            blocks.extend(await self._load_blocks(index, changed[start : start + LOAD_BATCH_DOCUMENTS]))
        loaded = len(blocks)
        await asyncio.to_thread(index.update, blocks, removed)
        del blocks
        _release_free_memory()
        log.info(
            "knowledge index: %d documents, %d chunks (%d loaded, %d removed) in %.2f s",
            len(index), index.chunk_count, loaded, len(removed), time.perf_counter() - started,
        )

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
            self.embed_soon()  # a passage without a vector yet (a profile just saved) gets one in the background
        # Reading every passage's terms is pure Python and takes a while on a big knowledge base: off the loop.
        return await asyncio.to_thread(self._blocks, index, list(documents), chunk_rows)

    @staticmethod
    def _blocks(index: SearchIndex, documents: list[Document], chunk_rows: list) -> list[DocBlock]:  # noqa: ANN001
        by_document: dict[int, list] = {}
        for row in chunk_rows:
            by_document.setdefault(row.document_id, []).append(row)
        # One array for the whole batch (blocks hold views): released in one piece once copied into the index.
        kept = [row for document in documents for row in by_document.get(document.id, [])]
        dimension = index.dimension or next((len(row.embedding) // 4 for row in kept if row.embedding), 0)
        # A passage without a vector yet (a profile just saved) is found by its keywords until it has one.
        missing = bytes(4 * dimension)
        batch_vectors = np.frombuffer(
            b"".join(row.embedding if row.embedding and len(row.embedding) == 4 * dimension else missing for row in kept),
            dtype="<f4",
        ).reshape(len(kept), dimension)
        blocks = []
        offset = 0
        for document in documents:
            rows = by_document.get(document.id, [])
            info = _doc_info(document)
            term_ids, term_counts = index.term_ids([terms(embedding_text(info.title, row.heading, row.text)) for row in rows])
            blocks.append(
                DocBlock(
                    info=info,
                    chunk_ids=np.array([row.id for row in rows], dtype=np.int64),
                    vectors=batch_vectors[offset : offset + len(rows)],
                    term_ids=term_ids,
                    term_counts=term_counts,
                )
            )
            offset += len(rows)
        return blocks

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
        encoder = await self.model()
        waited = warming and time.monotonic() - started > WARM_UP_NOTE_SECONDS
        if self._has_stale_documents(index, encoder):
            await self.reembed_stale()
            index = await self.ensure_fresh()

        def run() -> tuple[list[Hit], str, bool, bool]:
            used, truncated = encoder.truncate(text)
            analysis = analyse(used)  # keyword terms in the question's language, and their English
            vector = fused_query_vector(encoder, encoder.encode_query(used), analysis)
            if len(index) and index.dimension == 0:  # no passage has a vector yet: keywords only
                return index.search(None, analysis.terms, filters, limit=limit, fusion=self.fusion, exclude=exclude), used, truncated, False
            if len(index) and vector.shape[0] != index.dimension:
                raise KnowledgeError(
                    f"The stored embeddings have {index.dimension} dimensions but the model {encoder.name} makes "
                    f"{vector.shape[0]}; ingest the knowledge base again with this model."
                )
            hits = index.search(vector, analysis.terms, filters, limit=limit, fusion=self.fusion, exclude=exclude)
            weak = bool(hits) and is_weak(encoder, gather_evidence(encoder, index, vector, analysis, hits))
            return hits, used, truncated, weak

        hits, used, truncated, weak = await run_on_model_thread(run)
        return Answer(
            await self._with_passages(hits, used), used, truncated, waited_for_warm_up=waited, weak=weak,
            still_loading=self.still_loading,
        )

    # --- A change of model ------------------------------------------------------------------------------

    def _has_stale_documents(self, index: SearchIndex, encoder: Encoder) -> bool:
        """Whether some document in the index was embedded by another model than the configured one."""
        docs = index.docs
        if self._stale_checked is not docs:
            name = encoder.name
            self._stale = any(
                embedded_by_other_model(doc.content_hash, doc.meta, name)
                if is_member_profile(doc.source_id)
                else doc.meta.get(EMBEDDING_MODEL_KEY) != name
                for doc in docs
            )
            self._stale_checked = docs
        return self._stale

    async def reembed_stale(self) -> int:
        """Embed again, from their stored passages, the chunks of every document that another model
        embedded (or an unknown one: stored before the model was recorded). Vectors of two models are not
        comparable, even when their sizes agree. Returns the number of chunks embedded."""
        encoder = await self.model()
        async with self._reembed_lock:
            async with self.db.session() as session:
                rows = (
                    await session.execute(select(Document.id, Document.source_id, Document.title, Document.content_hash, Document.meta))
                ).all()
            stale = [
                row for row in rows
                if not is_member_profile(row.source_id) and (row.meta or {}).get(EMBEDDING_MODEL_KEY) != encoder.name
            ]
            # Members' own profiles keep their own fingerprint: they lose the old vectors and get new ones.
            profiles = await forget_other_model_vectors(self.db, encoder.name)
            if profiles:
                await self.embed_pending()
            if not stale:
                self.invalidate()
                return 0
            log.warning("%d documents were embedded by another model: embedding them with %s…", len(stale), encoder.name)
            started = time.perf_counter()
            done = 0
            for start in range(0, len(stale), REEMBED_BATCH_DOCUMENTS):
                done += await self._reembed(encoder, stale[start : start + REEMBED_BATCH_DOCUMENTS])
            log.warning("re-embedded %d chunks of %d documents in %.1f s", done, len(stale), time.perf_counter() - started)
        self.invalidate()
        return done

    async def _reembed(self, encoder: Encoder, documents: list) -> int:  # noqa: ANN001 - result rows
        titles = {row.id: row.title for row in documents}
        async with self.db.session() as session:
            chunks = (
                await session.execute(
                    select(Chunk.id, Chunk.document_id, Chunk.heading, Chunk.text).where(Chunk.document_id.in_(titles))
                )
            ).all()
        texts = [embedding_text(titles[c.document_id], c.heading, c.text) for c in chunks]
        vectors = await run_on_model_thread(encoder.encode, texts)
        async with self.db.session() as session, session.begin():
            if chunks:
                await session.execute(
                    update(Chunk), [{"id": c.id, "embedding": to_bytes(v)} for c, v in zip(chunks, vectors, strict=True)]
                )
            for row in documents:
                meta = dict(row.meta or {})
                # A document stored before the source hash was kept gets one that the next ingest will not
                # recognise, so that ingest rebuilds it from its file once.
                source_hash = meta.get(SOURCE_HASH_KEY, row.content_hash)
                meta[EMBEDDING_MODEL_KEY] = encoder.name
                await session.execute(
                    update(Document)
                    .where(Document.id == row.id)
                    .values(meta=meta, content_hash=embedded_hash(source_hash, encoder.name))
                )
            await bump_version(session)
        return len(chunks)

    async def profile_ids(self, member_id: int) -> tuple[int, ...]:
        """Ids of the expert profiles that belong to a member (left out of their own results)."""
        index = await self.ensure_fresh()
        docs = index.docs
        if self._profiles is None or self._profiles[0] is not docs:
            profiles: dict[int, tuple[int, ...]] = {}
            for doc in docs:
                if doc.kind == "expert" and doc.member_id is not None:
                    profiles[doc.member_id] = (*profiles.get(doc.member_id, ()), doc.id)
            self._profiles = (docs, profiles)
        return self._profiles[1].get(member_id, ())

    async def experts_by_pilot(self) -> dict[str, list[DocInfo]]:
        """Pilot source id -> expert profiles that list it (or are its named contact)."""
        index = await self.ensure_fresh()
        docs = index.docs
        if self._expert_links is not None and self._expert_links[0] is docs:
            return self._expert_links[1]
        experts_by_name = {d.title.lower(): d for d in docs if d.kind == "expert"}
        links: dict[str, list[DocInfo]] = {}
        for doc in docs:
            if doc.kind == "expert":
                for pilot_id in doc.meta.get("pilots", []):
                    links.setdefault(pilot_id, []).append(doc)
            elif doc.kind == "pilot" and doc.meta.get("contact"):
                contact = experts_by_name.get(str(doc.meta["contact"]).lower())
                if contact is not None and contact not in links.get(doc.source_id, []):
                    links.setdefault(doc.source_id, []).append(contact)
        self._expert_links = (docs, links)
        return links

    async def browse(self, filters: Filters, *, limit: int = 25, exclude: tuple[int, ...] = ()) -> list[DocInfo]:
        index = await self.ensure_fresh()
        docs = index.browse(filters, limit=limit + 50, exclude=exclude)
        async with self.db.session() as session:
            contacts, hidden = await self._contacts(session, docs)
        shown = [d for d in docs if d.member_id not in hidden or d.kind != "expert"]
        return _one_per_person(shown, lambda d: d)[:limit]

    async def contacts(self, docs: list[DocInfo]) -> tuple[dict[int, Contact], set[int]]:
        """Members behind expert profiles: (member id -> contact, ids of members hidden from expert search)."""
        async with self.db.session() as session:
            return await self._contacts(session, docs)

    @staticmethod
    async def _contacts(session, docs: list[DocInfo]) -> tuple[dict[int, Contact], set[int]]:  # noqa: ANN001
        ids = {d.member_id for d in docs if d.kind == "expert" and d.member_id}
        if not ids:
            return {}, set()
        rows = (
            await session.execute(
                select(Member.id, Member.organisation_id, Member.consent_expert_search, Member.consent_introductions).where(
                    Member.id.in_(ids)
                )
            )
        ).all()
        contacts = {row.id: Contact(row.id, row.organisation_id, row.consent_introductions) for row in rows}
        # Switched off expert search: never shown as an expert (privacy by design).
        hidden = {row.id for row in rows if not row.consent_expert_search}
        return contacts, hidden

    async def _with_passages(self, hits: list[Hit], query: str) -> list[Result]:
        """Best passages and member contacts for the hits, in one database round; hidden people dropped."""
        if not hits:
            return []
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(Chunk.id, Chunk.heading, Chunk.text).where(
                        Chunk.id.in_({h.chunk_id for h in hits} | {h.snippet_chunk_id for h in hits})
                    )
                )
            ).all()
            contacts, hidden = await self._contacts(session, [h.doc for h in hits])
        passages = {row.id: Passage(row.heading, row.text) for row in rows}
        wanted = set(query_terms(query))  # with the English of a question in another language
        results = []
        for hit in hits:
            if hit.doc.kind == "expert" and hit.doc.member_id in hidden:
                continue
            passage = passages.get(hit.chunk_id, Passage(None, ""))
            shared = shared_words(wanted, f"{hit.doc.title} {passage.heading or ''} {passage.text}")
            contact = contacts.get(hit.doc.member_id) if hit.doc.kind == "expert" and hit.doc.member_id else None
            results.append(Result(hit, passage, shared, passages.get(hit.snippet_chunk_id, passage), contact))
        return _one_per_person(results, lambda r: r.doc)

    # --- Passages waiting for their vectors (member profiles, see knowledge/profiles.py) ----------------

    @property
    def encoder_loaded(self) -> bool:
        return self._encoder is not None

    def embed_soon(self) -> asyncio.Task:
        """Embed passages that have no vector yet, in the background (one run at a time per process)."""
        if self._embedding is None or self._embedding.done():
            self._embedding = asyncio.ensure_future(self._embed_pending_logged())
        return self._embedding

    async def embed_soon_and_wait(self, timeout: float) -> None:
        """With the model loaded, give the background embedding up to `timeout` seconds (a profile's few
        passages take milliseconds), so the saver's next search ranks them by meaning too; never waits for
        the model to load, and never cancels the embedding."""
        if self.encoder_loaded:  # otherwise the next search, which loads the model, embeds them
            await asyncio.wait({self.embed_soon()}, timeout=timeout)

    async def embed_pending(self) -> int:
        """Embed passages that have no vector yet, now; the model loads (on its own thread) only if needed."""
        count = await embed_pending(self.db, lambda: self._encoder or get_encoder(self.settings.embedding_model))
        if count:
            self.invalidate()
        return count

    async def _embed_pending_logged(self) -> int:
        try:
            return await self.embed_pending()
        except Exception:  # the passages stay keyword-searchable; the next load or start-up tries again
            log.exception("could not embed passages that have no vector yet")
            return 0

    async def ingest(self, path: Path, *, progress: ProgressCallback | None = None) -> IngestReport:
        limits = ReadLimits.with_max_file_mb(self.settings.ingest_max_file_mb)
        report = await ingest(self.db, path, await self.model(), progress=progress, limits=limits)
        self.invalidate()
        return report

    async def document_count(self) -> int:
        async with self.db.session() as session:
            return int((await session.execute(select(func.count(Document.id)))).scalar() or 0)


def _one_per_person(items: list[T], doc_of: Callable[[T], DocInfo]) -> list[T]:
    """The first (best) expert profile of each member: someone with an ingested profile and their own
    chat profile is one person, listed once."""
    seen: set[int] = set()
    kept = []
    for item in items:
        doc = doc_of(item)
        if doc.kind == "expert" and doc.member_id is not None:
            if doc.member_id in seen:
                continue
            seen.add(doc.member_id)
        kept.append(item)
    return kept


def _release_free_memory() -> None:
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


def _doc_info(document: Document) -> DocInfo:
    meta = {k: v for k, v in (document.meta or {}).items() if k not in ("root", SOURCE_HASH_KEY)}
    return DocInfo(
        id=document.id,
        source_id=document.source_id,
        kind=document.kind,
        title=document.title,
        content_hash=document.content_hash,
        url=document.url,
        source_path=document.source_path,
        themes=tuple(document.themes or ()),
        countries=tuple(document.countries or ()),
        sectors=tuple(document.sectors or ()),
        organisations=tuple(document.organisations or ()),
        published_on=document.published_on,
        member_id=document.member_id,
        meta=meta,
    )
