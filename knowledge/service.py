"""The knowledge base of one process, composed of its parts: the embedding model (`model`), the search index
kept in step with the database (`index`) and who is who among the experts (`directory`).

One per process (the bot's runtime builds it as `knowledge`). At process start `warm_up()` loads the model,
fills an empty knowledge base and builds the index, all off the event loop: the adapters answer meanwhile
(`readiness` tells health checks how far the warm-up is). A search that arrives early waits for the model
(about a second), but not for knowledge still being embedded: it answers from what is stored so far and
says results may improve shortly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from knowledge.directory import Directory
from knowledge.embeddings import Encoder, load_model
from knowledge.index import CHECK_INTERVAL_SECONDS, LiveIndex
from knowledge.ingest import IngestReport, ProgressCallback, ingest
from knowledge.model import EmbeddingModel, KnowledgeError
from knowledge.profiles import WRITTEN_BY_THE_BOT
from knowledge.readiness import Readiness
from knowledge.search import SHIPPED_FUSION, Fusion
from knowledge.sources import ReadLimits
from knowledge.version import FIRST_LOAD_DONE, FIRST_LOAD_STARTED, first_load, note_first_load
from storage.database import Database
from storage.models import Document

if TYPE_CHECKING:
    from config import Settings

log = logging.getLogger(__name__)


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
        self.readiness = Readiness()
        self.model = EmbeddingModel(
            db, settings.embedding_model, self.readiness, encoder=encoder, load_model=load_model,
            vectors_changed=lambda: self.index.invalidate(),
        )
        self.index = LiveIndex(db, self.model, self.readiness, check_interval=check_interval, fusion=fusion)
        self.directory = Directory(db, self.index)
        self._warm_up: asyncio.Task[None] | None = None
        self._filling: asyncio.Task | None = None

    # --- Start-up ----------------------------------------------------------------------------------------

    def warm_up(self) -> asyncio.Task[None]:
        """Start loading the model, filling an empty knowledge base and building the index, in the background."""
        if self._warm_up is None:
            self.index.start_up_begins()
            self._warm_up = asyncio.create_task(self._warm(), name="knowledge-warm-up")
        return self._warm_up

    async def _warm(self) -> None:
        model = asyncio.ensure_future(self.model.load())
        try:
            await self._first_index_build()
            await model
            await self.model.embed_reference_sentences()
        except KnowledgeError:
            pass  # logged where it happened; searches answer with the reason
        except asyncio.CancelledError:
            model.cancel()
            raise

    async def _first_index_build(self) -> None:
        try:
            await self.fill_when_empty()
            await self.index.refresh()
        except Exception as exc:
            self.readiness.index_failed(f"the knowledge index could not be built ({exc.__class__.__name__})")
            log.exception("building the knowledge index at start-up failed; searches will try again")
        finally:
            self.index.start_up_ends()

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
        same time (the warm-up and another) share one run. A first load cut short (the bot stopped before it
        finished) is finished at the next start."""
        if self._filling is None or self._filling.done():
            self._filling = asyncio.ensure_future(self._fill_when_empty())
        await asyncio.shield(self._filling)

    async def _fill_when_empty(self) -> None:
        if not self.settings.ingest_demo_on_empty:
            return
        async with self.db.session() as session:
            state = await first_load(session)
        # Members' own profiles and kept community answers do not make a knowledge base "filled": a member
        # may set their expertise before the first load has even begun.
        if state == FIRST_LOAD_DONE or (state is None and await self.folder_document_count() > 0):
            await self._reembed_if_stale()
            return
        folder = Path(self.settings.knowledge_dir)
        if not folder.exists():
            log.warning("the knowledge base is empty and %s does not exist; nothing to ingest", folder)
            return
        # Normal start-up news (INFO); only real problems are warnings. It runs in the background while the
        # console's prompt is live, so no progress bar here (`python main.py ingest` has one).
        if state == FIRST_LOAD_STARTED:
            log.info("Finishing the first load of %s/, which stopped before it was done…", folder.name)
        else:
            log.info("First start: loading %s/ into the knowledge base (once; this takes a minute)…", folder.name)
        await self._note_first_load(FIRST_LOAD_STARTED)
        self.readiness.loading_knowledge = True
        try:
            report = await self.ingest(folder)
        finally:
            self.readiness.loading_knowledge = False
        await self._note_first_load(FIRST_LOAD_DONE)
        for problem in report.errors:
            log.warning("ingest: %s", problem)
        log.info("Knowledge base ready: %s", report.summary())

    async def _reembed_if_stale(self) -> None:
        """A changed embedding model: embed the knowledge base again now rather than at the first question.
        Judged from the index, which the start-up builds next anyway (built here, not reported ready until
        the start-up is done), so a restart with the same model reads no document twice."""
        index = await self.index.refresh(ready=False)
        if self.model.has_stale_documents(index, await self.model.load()):
            await self.model.reembed_stale()

    # --- Loading and counting --------------------------------------------------------------------------

    async def ingest(self, path: Path, *, progress: ProgressCallback | None = None) -> IngestReport:
        limits = ReadLimits.with_max_file_mb(self.settings.ingest_max_file_mb)
        report = await ingest(self.db, path, await self.model.load(), progress=progress, limits=limits)
        self.index.invalidate()
        return report

    async def _note_first_load(self, state: str) -> None:
        async with self.db.session() as session, session.begin():
            await note_first_load(session, state)

    async def folder_document_count(self) -> int:
        """Documents that came from a knowledge folder (not the bot's own: member profiles, kept answers)."""
        async with self.db.session() as session:
            query = select(func.count(Document.id))
            for prefix in WRITTEN_BY_THE_BOT:
                query = query.where(~Document.source_id.startswith(prefix))
            return int((await session.execute(query)).scalar() or 0)

    async def document_count(self) -> int:
        async with self.db.session() as session:
            return int((await session.execute(select(func.count(Document.id)))).scalar() or 0)
