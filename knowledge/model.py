"""The embedding model's life cycle in one process: loading it, and keeping every stored passage embedded
by it (passages saved without a vector, and documents a previous model embedded).

The model loads off the event loop, once, however many callers ask for it meanwhile; `readiness` records
when it is there (or why it is not).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from knowledge.chunking import embedding_text
from knowledge.confidence import reference_vectors
from knowledge.embeddings import Encoder, get_encoder, run_on_model_thread, to_bytes
from knowledge.ingest import EMBEDDING_MODEL_KEY, SOURCE_HASH_KEY, embedded_hash
from knowledge.profiles import embed_pending, embedded_by_other_model, forget_other_model_vectors, is_member_profile
from knowledge.readiness import Readiness
from knowledge.version import bump_version
from storage.database import Database
from storage.models import Chunk, Document

if TYPE_CHECKING:
    from knowledge.search import SearchIndex

log = logging.getLogger(__name__)

REEMBED_BATCH_DOCUMENTS = 100


class KnowledgeError(Exception):
    """The knowledge base cannot answer as configured (the message says what to do)."""


class EmbeddingModel:
    """The configured embedding model, loaded once per process, and the passages waiting for it."""

    def __init__(
        self,
        db: Database,
        name: str,
        readiness: Readiness,
        *,
        encoder: Encoder | None = None,
        load_model: Callable[[str], Awaitable[Encoder]],
        vectors_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.name = name
        self.readiness = readiness
        self._encoder = encoder
        self._load_model = load_model  # tests pass a slow fake
        self._loading: asyncio.Future[Encoder] | None = None
        # Stored vectors changed: the index checks the knowledge version before its next search.
        self._vectors_changed = vectors_changed
        self._stale_checked: list | None = None
        self._stale = False
        self._reembed_lock = asyncio.Lock()
        self._embedding: asyncio.Task | None = None
        if encoder is not None:
            readiness.model_done()

    @property
    def encoder(self) -> Encoder:
        """The encoder, loaded here and now if need be (blocking): on the event loop, use `await load()`."""
        if self._encoder is None:
            self._encoder = get_encoder(self.name)
            self.readiness.model_done()
        return self._encoder

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    async def load(self) -> Encoder:
        """The encoder; the first call starts loading it (or joins the load `main.py` began), and every caller
        waits for that one load without blocking the event loop."""
        if self._encoder is not None:
            return self._encoder
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        return await asyncio.shield(self._loading)

    async def _load(self) -> Encoder:
        started = time.perf_counter()
        try:
            encoder = await self._load_model(self.name)
        except Exception as exc:
            reason = f"the embedding model {self.name} could not be loaded ({exc.__class__.__name__}: {exc})"
            self.readiness.model_failed(reason)
            log.error("%s", reason)
            raise KnowledgeError(f"Search is unavailable: {reason}. An admin should check LIGHTHOUSE_EMBEDDING_MODEL.") from None
        self._encoder = encoder
        self.readiness.model_done()
        log.info("embedding model %s loaded in %.1f s", self.name, time.perf_counter() - started)
        return encoder

    async def embed_reference_sentences(self) -> None:
        """The confidence check's reference sentences (shipped, or embedded now rather than at the first search)."""
        await run_on_model_thread(reference_vectors, await self.load())

    # --- Passages waiting for their vectors (member profiles, see knowledge/profiles.py) ----------------

    def embed_soon(self) -> asyncio.Task:
        """Embed passages that have no vector yet, in the background (one run at a time per process)."""
        if self._embedding is None or self._embedding.done():
            self._embedding = asyncio.ensure_future(self._embed_pending_logged())
        return self._embedding

    async def embed_soon_and_wait(self, timeout: float) -> None:
        """With the model loaded, give the background embedding up to `timeout` seconds (a profile's few
        passages take milliseconds), so the saver's next search ranks them by meaning too; never waits for
        the model to load, and never cancels the embedding."""
        if self.loaded:  # otherwise the next search, which loads the model, embeds them
            await asyncio.wait({self.embed_soon()}, timeout=timeout)

    async def embed_pending(self) -> int:
        """Embed passages that have no vector yet, now; the model loads (on its own thread) only if needed."""
        count = await embed_pending(self.db, lambda: self._encoder or get_encoder(self.name))
        if count:
            self._vectors_changed()
        return count

    async def _embed_pending_logged(self) -> int:
        try:
            return await self.embed_pending()
        except Exception:  # the passages stay keyword-searchable; the next load or start-up tries again
            log.exception("could not embed passages that have no vector yet")
            return 0

    # --- A change of model ------------------------------------------------------------------------------

    def has_stale_documents(self, index: SearchIndex, encoder: Encoder) -> bool:
        """Whether some document in the index was embedded by another model than the configured one."""
        docs = index.docs
        if self._stale_checked is not docs:
            self._stale = any(_embedded_by_another(doc.source_id, doc.content_hash, doc.meta, encoder.name) for doc in docs)
            self._stale_checked = docs
        return self._stale

    async def reembed_stale(self) -> int:
        """Embed again, from their stored passages, the chunks of every document that another model
        embedded (or an unknown one: stored before the model was recorded). Vectors of two models are not
        comparable, even when their sizes agree. Returns the number of chunks embedded."""
        encoder = await self.load()
        async with self._reembed_lock:
            stale = await self._stale_documents(encoder.name)
            # Members' own profiles keep their own fingerprint: they lose the old vectors and get new ones.
            if await forget_other_model_vectors(self.db, encoder.name):
                await self.embed_pending()
            done = await self._reembed_all(encoder, stale) if stale else 0
        self._vectors_changed()
        return done

    async def _stale_documents(self, model_name: str) -> list:
        """Ingested documents (not members' own profiles) that another model embedded."""
        async with self.db.session() as session:
            rows = (
                await session.execute(select(Document.id, Document.source_id, Document.title, Document.content_hash, Document.meta))
            ).all()
        return [
            row for row in rows
            if not is_member_profile(row.source_id) and (row.meta or {}).get(EMBEDDING_MODEL_KEY) != model_name
        ]

    async def _reembed_all(self, encoder: Encoder, stale: list) -> int:  # noqa: ANN001 - result rows
        log.warning("%d documents were embedded by another model: embedding them with %s…", len(stale), encoder.name)
        started = time.perf_counter()
        done = 0
        for start in range(0, len(stale), REEMBED_BATCH_DOCUMENTS):
            done += await self._reembed(encoder, stale[start : start + REEMBED_BATCH_DOCUMENTS])
        log.warning("re-embedded %d chunks of %d documents in %.1f s", done, len(stale), time.perf_counter() - started)
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
                await session.execute(
                    update(Document).where(Document.id == row.id).values(**_embedded_by(row.meta, row.content_hash, encoder.name))
                )
            await bump_version(session)
        return len(chunks)


def _embedded_by_another(source_id: str, content_hash: str, meta: dict, model_name: str) -> bool:
    if is_member_profile(source_id):
        return embedded_by_other_model(content_hash, meta, model_name)
    return meta.get(EMBEDDING_MODEL_KEY) != model_name


def _embedded_by(meta: dict | None, content_hash: str, model_name: str) -> dict:
    """A re-embedded document's new meta and content hash."""
    meta = dict(meta or {})
    # A document stored before the source hash was kept gets one that the next ingest will not recognise,
    # so that ingest rebuilds it from its file once.
    source_hash = meta.get(SOURCE_HASH_KEY, content_hash)
    meta[EMBEDDING_MODEL_KEY] = model_name
    return {"meta": meta, "content_hash": embedded_hash(source_hash, model_name)}
