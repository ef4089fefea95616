"""Hybrid search: ranking, filters, fusion modes, a few thousand chunks, and refresh across processes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from knowledge.chunking import passages, split_words
from knowledge.ingest import delete_documents, ingest
from knowledge.search import SPLIT_PRODUCT_ROWS, DocBlock, DocInfo, Filters, Fusion, SearchIndex, _one_blas_thread, _product
from knowledge.service import KnowledgeService
from knowledge.sources import SourceDocument
from knowledge.terms import terms
from tests.knowledge_fakes import FakeEncoder, pilot, small_knowledge_base

TOPICS = ["school meals", "peer support", "telemedicine", "walking groups", "diabetes screening", "sleep apps",
          "sugar tax", "loneliness", "translation services", "dental care"]
COUNTRIES = ["DK", "SE", "NO", "FI", "DE", "KE"]


def synthetic_index(encoder: FakeEncoder, documents: int = 600, chunks_per_document: int = 5, **options) -> SearchIndex:  # noqa: ANN003
    """Documents about rotating topics; document 123 alone mentions a 'lighthouse keeper'."""
    rng = np.random.default_rng(7)
    index = SearchIndex(encoder.dimension, **options)
    blocks = []
    for n in range(documents):
        topic = TOPICS[n % len(TOPICS)]
        texts = [f"Pilot {n} on {topic}: chunk {c} about {topic} and {TOPICS[rng.integers(len(TOPICS))]}" for c in range(chunks_per_document)]
        if n == 123:
            texts[3] = "A lighthouse keeper ran night shifts for the telemedicine service"
        info = DocInfo(
            id=n + 1, source_id=f"doc-{n}", kind="pilot" if n % 3 else "report", title=f"Document {n} on {topic}",
            content_hash=str(n), themes=("obesity",) if n % 2 else ("mental_health",), countries=(COUNTRIES[n % 6],),
            sectors=("hospital",) if n % 4 == 0 else ("municipality",), published_on=date(2020 + n % 6, 1 + n % 12, 1),
        )
        term_ids, counts = index.term_ids([terms(t) for t in texts])
        blocks.append(DocBlock(info, np.arange(n * 10, n * 10 + len(texts), dtype=np.int64), encoder.encode(texts), term_ids, counts))
    index.update(blocks)
    return index


def ask(index: SearchIndex, encoder: FakeEncoder, text: str, filters: Filters | None = None, **kwargs) -> list:  # noqa: ANN003
    return index.search(encoder.encode([text])[0], terms(text), filters, **kwargs)


def test_search_over_a_few_thousand_chunks_finds_the_one_passage():
    encoder = FakeEncoder()
    index = synthetic_index(encoder)
    assert (len(index), index.chunk_count) == (600, 3000)
    hits = ask(index, encoder, "lighthouse keeper night shifts", limit=10)
    assert hits[0].doc.source_id == "doc-123"
    assert hits[0].chunk_id == 1233  # its fourth chunk, the one that says so
    assert len(hits) == 10 and len({h.doc.id for h in hits}) == 10  # one hit per document
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_every_fusion_mode_finds_a_keyword_only_match():
    encoder = FakeEncoder()
    index = synthetic_index(encoder, documents=200)
    for method in ("convex", "rrf", "bm25", "dense"):
        hits = ask(index, encoder, "lighthouse keeper", limit=3, fusion=Fusion(method=method))
        assert hits[0].doc.source_id == "doc-123", method


def test_filters_keep_only_matching_documents():
    encoder = FakeEncoder()
    index = synthetic_index(encoder)
    cases = [
        (Filters(kinds=frozenset({"report"})), lambda d: d.kind == "report"),
        (Filters(themes=frozenset({"mental_health"})), lambda d: "mental_health" in d.themes),
        (Filters(countries=frozenset({"KE", "NO"})), lambda d: d.countries[0] in {"KE", "NO"}),
        (Filters(sectors=frozenset({"hospital"})), lambda d: d.sectors == ("hospital",)),
        # A pilot with no end date still runs: `since` holds it whenever it started.
        (Filters(since=date(2024, 1, 1)), lambda d: d.published_on >= date(2024, 1, 1) or d.kind == "pilot"),
        (Filters(until=date(2021, 6, 30)), lambda d: d.published_on <= date(2021, 6, 30)),
        (Filters(kinds=frozenset({"report"}), countries=frozenset({"FI"}), since=date(2021, 3, 1)),
         lambda d: d.kind == "report" and d.countries == ("FI",) and d.published_on >= date(2021, 3, 1)),
    ]
    for filters, wanted in cases:
        hits = ask(index, encoder, "telemedicine", filters, limit=50)
        assert hits, filters
        assert all(wanted(h.doc) for h in hits), filters
        assert len(hits) == min(50, sum(1 for d in index.docs if wanted(d)))
    assert ask(index, encoder, "telemedicine", Filters(countries=frozenset({"BR"}))) == []
    browsed = index.browse(Filters(countries=frozenset({"KE"})), limit=1000)
    assert {d.countries for d in browsed} == {("KE",)} and len(browsed) == 100
    assert browsed[0].published_on >= browsed[-1].published_on


def test_exclude_and_incremental_updates():
    encoder = FakeEncoder()
    index = synthetic_index(encoder, documents=200)
    assert ask(index, encoder, "lighthouse keeper", limit=1, exclude=[124])[0].doc.source_id != "doc-123"
    # Replace document 50 with one about lighthouses, drop document 123.
    old = next(d for d in index.docs if d.source_id == "doc-50")
    texts = ["Lighthouse keeper stories from the coast"]
    term_ids, counts = index.term_ids([terms(t) for t in texts])
    replacement = DocInfo(id=old.id, source_id="doc-50", kind="pilot", title="Keepers", content_hash="new")
    index.update([DocBlock(replacement, np.array([99999]), encoder.encode(texts), term_ids, counts)], removed=[124])
    assert len(index) == 199
    hits = ask(index, encoder, "lighthouse keeper", limit=3)
    assert hits[0].doc.title == "Keepers" and hits[0].chunk_id == 99999
    assert "doc-123" not in {h.doc.source_id for h in hits}
    assert index.content_hashes()[old.id] == "new"


def test_chunking_follows_headings_with_overlap():
    body = "## Summary\nShort summary.\n\n## Results\n### Year one\n" + " ".join(f"Sentence number {i} ends here." for i in range(120))
    document = SourceDocument(source_id="x", source_path="x.md", kind="pilot", title="T", body=body, themes=["obesity"])
    parts = passages(document)
    assert parts[0].heading == "Overview" and "Obesity" in parts[0].text
    assert parts[1].heading == "Summary"
    long = [p for p in parts if p.heading == "Results > Year one"]
    assert len(long) >= 3 and all(len(p.text.split()) <= 160 for p in long)
    # Consecutive pieces share their boundary sentence(s).
    for first, second in zip(long, long[1:]):
        assert first.text.split(". ")[-1].rstrip(".") in second.text
    assert split_words("tiny") == ["tiny"]


async def test_the_index_follows_changes_made_by_another_process(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    encoder = FakeEncoder()
    here = KnowledgeService(core.db, core.settings, encoder=encoder, check_interval=0)
    other = KnowledgeService(core.db, core.settings, encoder=encoder, check_interval=3600)
    assert await here.index.is_empty()
    await ingest(core.db, folder, encoder)
    answer = await here.index.search("school meals wholegrains")
    assert answer.results[0].doc.source_id == "pilot-school-meals"
    assert "wholegrains" in answer.results[0].passage.text.lower() or "wholegrains" in [w.lower() for w in answer.results[0].shared]
    assert (await other.index.search("teenagers anxiety")).results[0].doc.source_id == "pilot-peer-support"

    # Another process edits one document: only it is reloaded.
    pilot(folder, "teach-back", "Lighthouse keepers' teach-back", "## Summary\nKeepers explain it back.", themes=["health_literacy"])
    await ingest(core.db, folder, encoder)
    index_before = here.index.current
    blocks_before = dict(here.index.current._blocks)
    assert (await here.index.search("lighthouse keepers")).results[0].doc.source_id == "pilot-teach-back"
    assert here.index.current is index_before
    changed = [doc_id for doc_id, block in here.index.current._blocks.items() if blocks_before.get(doc_id) is not block]
    assert len(changed) == 1
    # The other process checks the version only every hour: it still answers from what it had…
    assert "Lighthouse keepers' teach-back" not in {r.doc.title for r in (await other.index.search("lighthouse keepers")).results}
    other.index.invalidate()  # …until its next check
    assert (await other.index.search("lighthouse keepers")).results[0].doc.title == "Lighthouse keepers' teach-back"

    doc_id = next(d.id for d in here.index.current.docs if d.source_id == "pilot-teach-back")
    await delete_documents(core.db, [doc_id])
    assert "pilot-teach-back" not in {r.doc.source_id for r in (await here.index.search("lighthouse keepers")).results}


@pytest.mark.parametrize("rows", [10, SPLIT_PRODUCT_ROWS - 1, SPLIT_PRODUCT_ROWS, 3 * SPLIT_PRODUCT_ROWS + 7])
def test_the_dense_product_is_the_same_split_in_parts_or_whole(rows):
    generator = np.random.default_rng(rows)
    matrix = generator.standard_normal((rows, 384), dtype=np.float32)
    vector = generator.standard_normal(384, dtype=np.float32)
    with _one_blas_thread():
        split = _product(matrix, vector)
    assert split.dtype == np.float32 and split.shape == (rows,)
    np.testing.assert_allclose(split, matrix.astype(np.float64) @ vector.astype(np.float64), rtol=1e-4, atol=1e-3)


def test_since_holds_a_pilot_that_ran_into_that_time_until_holds_one_that_had_started():
    encoder = FakeEncoder()
    index = SearchIndex(encoder.dimension)
    texts = ["school meals pilot"]
    spans = {1: ("2022-01-10", "2024-12-31"), 2: ("2022-01-10", "2023-06-30"), 3: ("2025-03-01", None),
             4: ("2021-05-01", None)}  # 3 and 4 still running
    blocks = []
    for doc_id, (start, end) in spans.items():
        meta = {"start": start, **({"end": end} if end else {})}
        info = DocInfo(id=doc_id, source_id=f"p{doc_id}", kind="pilot", title="Meals", content_hash=str(doc_id),
                       published_on=date.fromisoformat(start), meta=meta)
        term_ids, counts = index.term_ids([terms(t) for t in texts])
        blocks.append(DocBlock(info, np.array([doc_id]), encoder.encode(texts), term_ids, counts))
    index.update(blocks)

    def found(filters: Filters) -> set[int]:
        return {d.id for d in index.browse(filters)}

    assert found(Filters(since=date(2024, 1, 1))) == {1, 3, 4}  # 1 ran into 2024; 2 had ended; 4 still runs
    assert found(Filters(since=date(2025, 1, 1))) == {3, 4}
    assert found(Filters(until=date(2023, 1, 1))) == {1, 2, 4}  # started by then
    assert found(Filters(since=date(2023, 1, 1), until=date(2023, 12, 31))) == {1, 2, 4}
