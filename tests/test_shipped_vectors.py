"""Vectors shipped for the demo: used when they are certainly the model's own for the passage's exact text,
ignored otherwise; a first start embeds nothing twice, and a search while knowledge is still being
embedded answers at once from what is ready."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

import knowledge.shipped as shipped
from bot.search.views import STILL_LOADING_NOTE
from knowledge.chunking import embedding_text, passages
from knowledge.embeddings import MINILM_MODEL, MULTILINGUAL_MODEL, from_bytes
from knowledge.ingest import ingest
from knowledge.service import KnowledgeService
from knowledge.sources import read_file, source_files
from storage.models import Chunk, Document
from tests.knowledge_fakes import FakeEncoder, small_knowledge_base
from tests.support import Chat


class OtherNameEncoder(FakeEncoder):
    name = "another-fake-model"


class DriftedEncoder(FakeEncoder):
    """The same name as FakeEncoder, but other vectors: another release of "the same" model."""

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        return np.roll(super().encode(texts, batch_size=batch_size), 1, axis=1)


def folder_texts(folder) -> dict[str, list[str]]:  # noqa: ANN001
    """Each document's title -> the texts ingest embeds for it."""
    texts = {}
    for file in source_files(folder):
        for document in read_file(file, file.relative_to(folder).as_posix()).documents:
            texts[document.title] = [embedding_text(document.title, p.heading, p.text) for p in passages(document)]
    return texts


@pytest.fixture
def shipped_dir(tmp_path, monkeypatch):
    folder = tmp_path / "vectors"
    monkeypatch.setattr(shipped, "SHIPPED_DIR", folder)
    monkeypatch.setattr(shipped, "package_version", lambda model: "1.0")
    shipped.forget_checks()
    yield folder
    shipped.forget_checks()


def passage_calls(encoder: FakeEncoder, texts: list[str]) -> Counter:
    wanted = set(texts)
    return Counter(text for text in encoder.encoded if text in wanted)


async def stored_vectors(core) -> dict[str, np.ndarray]:  # noqa: ANN001
    async with core.db.session() as session:
        rows = (await session.execute(select(Document.title, Chunk.heading, Chunk.text, Chunk.embedding).join(Chunk))).all()
    return {embedding_text(r.title, r.heading, r.text): from_bytes(r.embedding) for r in rows}


async def test_shipped_vectors_are_used_instead_of_embedding(core, tmp_path, shipped_dir):
    folder = small_knowledge_base(tmp_path / "kb")
    texts = [t for group in folder_texts(folder).values() for t in group]
    shipped.write(FakeEncoder(), texts, ["hello, how are you?"], shipped_dir)
    encoder = FakeEncoder()
    report = await ingest(core.db, folder, encoder)
    assert report.errors == [] and len(report.added) == 10
    assert passage_calls(encoder, texts) == Counter()  # only the probe was embedded
    assert encoder.encoded == [shipped.PROBE_TEXT]
    reference = FakeEncoder().encode(texts)
    stored = await stored_vectors(core)
    for text, vector in zip(texts, reference, strict=True):
        assert np.allclose(stored[text], vector, atol=2e-3)
    assert np.allclose(shipped.shipped_queries(encoder, ["hello, how are you?"])[0], encoder.encode_query("hello, how are you?"), atol=2e-3)


async def test_an_edited_passage_is_embedded_and_the_rest_come_from_the_file(core, tmp_path, shipped_dir):
    folder = small_knowledge_base(tmp_path / "kb")
    shipped.write(FakeEncoder(), [t for group in folder_texts(folder).values() for t in group], [], shipped_dir)
    school = folder / "pilots" / "school-meals.md"
    school.write_text(school.read_text(encoding="utf-8").replace("plate waste fell", "plate waste fell by a third"), encoding="utf-8")
    edited = folder_texts(folder)["Healthy school meals in Nordby"]
    encoder = FakeEncoder()
    await ingest(core.db, folder, encoder)
    embedded = passage_calls(encoder, [t for group in folder_texts(folder).values() for t in group])
    assert set(embedded) == {text for text in edited if "by a third" in text}
    assert set(embedded.values()) == {1}
    stored = await stored_vectors(core)
    assert all(np.allclose(stored[t], FakeEncoder().encode([t])[0], atol=2e-3) for t in edited)


@pytest.mark.parametrize("encoder_class", [OtherNameEncoder, DriftedEncoder])
async def test_vectors_of_another_model_are_never_used(core, tmp_path, shipped_dir, encoder_class):
    folder = small_knowledge_base(tmp_path / "kb")
    texts = [t for group in folder_texts(folder).values() for t in group]
    shipped.write(FakeEncoder(), texts, [], shipped_dir)
    encoder = encoder_class()
    await ingest(core.db, folder, encoder)
    assert passage_calls(encoder, texts) == Counter(texts)
    stored = await stored_vectors(core)
    assert all(np.allclose(stored[t], encoder_class().encode([t])[0]) for t in texts)


async def test_another_package_version_is_never_used(core, tmp_path, shipped_dir, monkeypatch):
    folder = small_knowledge_base(tmp_path / "kb")
    texts = [t for group in folder_texts(folder).values() for t in group]
    shipped.write(FakeEncoder(), texts, [], shipped_dir)
    monkeypatch.setattr(shipped, "package_version", lambda model: "2.0")
    shipped.forget_checks()
    encoder = FakeEncoder()
    await ingest(core.db, folder, encoder)
    assert passage_calls(encoder, texts) == Counter(texts)


def test_the_shipped_demo_vectors_match_the_demo_as_it_is_now():
    """Fails after an edit of data/demo or of its chunking: run `python -m knowledge.shipped` (until then
    the edited passages are embedded at first start, the others still come from the file)."""
    manifest = json.loads((shipped.SHIPPED_DIR / shipped.MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["models"]) == {MULTILINGUAL_MODEL, MINILM_MODEL}
    texts = shipped.demo_texts()
    wanted = {shipped.text_hash(t) for t in texts}
    questions = {shipped.text_hash(q, query=True) for q in shipped.reference_texts()}
    for model, entry in manifest["models"].items():
        path = shipped.SHIPPED_DIR / entry["file"]
        assert path.stat().st_size < 2_000_000, model
        with np.load(path, allow_pickle=False) as data:
            have = {bytes(h) for h in data["hashes"]}
            have_questions = {bytes(h) for h in data["query_hashes"]}
            vectors = data["vectors"].astype(np.float32)
            assert vectors.shape == (len(have), entry["dimension"])
            assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=2e-3)
        assert wanted <= have, f"{model}: {len(wanted - have)} demo passages changed; run python -m knowledge.shipped"
        assert questions <= have_questions, f"{model}: reference sentences changed; run python -m knowledge.shipped"
        assert entry["package_version"] == shipped.package_version(model), f"{model}: the model's package changed"


async def test_a_first_start_embeds_each_passage_once(core_with, settings, tmp_path, shipped_dir):
    """The warm-up's fill, the start-up's embedding of passages without vectors, and a search at once."""
    folder = small_knowledge_base(tmp_path / "kb")
    encoder = FakeEncoder()

    async def load_model(name: str) -> FakeEncoder:
        return encoder

    settings.ingest_demo_on_empty = True
    settings.knowledge_dir = folder
    core = await core_with(knowledge=lambda db: KnowledgeService(db, settings, load_model=load_model, check_interval=0))
    await core.start(warm_up=True)
    reply = await Chat(core).say("find school meals")
    await core.knowledge.warm_up()
    await core.knowledge.model.embed_soon()
    await Chat(core).say("find peer support")
    texts = [t for group in folder_texts(folder).values() for t in group]
    assert passage_calls(encoder, texts) == Counter(texts)
    assert "Best matches" in reply.text or "still loading" in reply.text


class BlockingEncoder(FakeEncoder):
    """Embeds one document's passages only once the test releases it; safe to call from any thread."""

    thread_safe = True

    def __init__(self, blocked_title: str) -> None:
        super().__init__()
        self.blocked_title = blocked_title
        self.release = threading.Event()

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        if any(text.startswith(self.blocked_title) for text in texts):
            assert self.release.wait(10), "the test never released the encoder"
        return super().encode(texts, batch_size=batch_size)


async def test_a_search_while_knowledge_is_embedding_answers_at_once_and_says_so(core_with, settings, tmp_path, shipped_dir):
    folder = small_knowledge_base(tmp_path / "kb")
    texts = folder_texts(folder)
    blocked = "Peer support chat for teenagers"
    shipped.write(FakeEncoder(), [t for title, group in texts.items() if title != blocked for t in group], [], shipped_dir)
    encoder = BlockingEncoder(blocked)
    settings.ingest_demo_on_empty = True
    settings.knowledge_dir = folder
    core = await core_with(knowledge=lambda db: KnowledgeService(db, settings, encoder=encoder, check_interval=0))
    service = core.knowledge
    try:
        service.warm_up()
        for _ in range(200):  # the nine documents with shipped vectors are stored first
            if await service.document_count() == 9:
                break
            await asyncio.sleep(0.02)
        assert service.index.still_loading
        reply = await asyncio.wait_for(Chat(core).say("find school meals"), 5)
        assert STILL_LOADING_NOTE in reply.text and "Best matches" in reply.text
        assert "Healthy school meals" in reply.plain_text()
    finally:
        encoder.release.set()
    await service.warm_up()
    assert not service.index.still_loading and service.readiness.ready.is_set()
    again = await Chat(core).say("find peer support for teenagers")
    assert STILL_LOADING_NOTE not in again.text and "Peer support chat" in again.plain_text()


async def test_a_search_before_anything_is_stored_says_the_knowledge_base_is_still_loading(core_with, settings, tmp_path, shipped_dir, monkeypatch):
    import knowledge.index as index_module

    monkeypatch.setattr(index_module, "FIRST_RESULTS_WAIT_SECONDS", 0.05)
    folder = small_knowledge_base(tmp_path / "kb")
    encoder = BlockingEncoder("")  # every passage waits
    settings.ingest_demo_on_empty = True
    settings.knowledge_dir = folder
    core = await core_with(knowledge=lambda db: KnowledgeService(db, settings, encoder=encoder, check_interval=0))
    service = core.knowledge
    try:
        service.warm_up()
        for _ in range(200):
            if service.index.still_loading:
                break
            await asyncio.sleep(0.01)
        reply = await asyncio.wait_for(Chat(core).say("find school meals"), 5)
        assert "still loading the knowledge base" in reply.text
    finally:
        encoder.release.set()
    await service.warm_up()


@pytest.mark.slow
def test_the_default_models_shipped_vectors_are_its_own():
    """The real model: the probe matches, and a few demo passages embed to their shipped vectors."""
    from knowledge.embeddings import get_encoder

    shipped.forget_checks()
    encoder = get_encoder(MULTILINGUAL_MODEL)
    vectors = shipped.shipped_vectors(encoder)
    assert vectors is not None
    texts = shipped.demo_texts()[::80]
    fresh = encoder.encode(texts)
    for text, vector in zip(texts, fresh, strict=True):
        assert float(vectors.passage(text) @ vector) > 0.999
    reference = shipped.reference_texts()[0]
    assert float(vectors.query(reference) @ encoder.encode_query(reference)) > 0.999


@pytest.mark.slow
def test_the_model_load_at_start_checks_the_shipped_vectors_before_the_first_search():
    """A restart's first search embeds only its question: the shipped vectors (and with them the confidence
    check's reference vectors) were checked by the model's loading thread while the bot was importing."""
    code = (
        "import sys, threading\n"
        "from knowledge.embeddings import MULTILINGUAL_MODEL, load_in_background\n"
        "encoder = load_in_background(MULTILINGUAL_MODEL).result(60)\n"
        "# the loading thread goes on preparing the first search after handing the model over\n"
        "[t.join(60) for t in threading.enumerate() if t.name == 'model-load']\n"
        "encodes = []\n"
        "encoder.encode = lambda texts, **kw: encodes.append(texts)\n"
        "encoder.encode_query = lambda text: encodes.append([text])\n"
        "from knowledge.confidence import reference_vectors\n"
        "reference_vectors(encoder)\n"
        "print(len(encodes), 'threadpoolctl' in sys.modules, 'numpy.ma' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # numpy.ma (some 40 ms to import) is no longer needed by any search
    assert result.stdout.split() == ["0", "True", "False"]
