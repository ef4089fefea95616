"""Latency of a `find` through the core against the bare model encode, and search time at 1M chunks.

    python bench/latency.py [--model NAME] [--chunks 0 10000 100000] [--rounds 5] [--vectors 1000000] [--searches 30]
                            [--keyword-build 100000]

1. For each size in --chunks (0: the demo alone), a knowledge base of about that many chunks in a temporary
   SQLite database: the demo knowledge base (ingested with --model, by default the shipped default model)
   plus synthetic documents built from its passages (their vectors are the demo vectors plus noise: timing
   does not depend on them). Then `find <question>` through `Lighthouse.handle` (routing, member lookup,
   search, passages, paging) and the bare `encoder.encode_query(question)` of the same model, interleaved,
   for 20 questions x --rounds. Prints p50/p95 and their ratio (targets: <= 1.15 at 10k, <= 1.3 at 100k).
   Every question is asked twice: once as timed above (the asker kept by the process since their last search,
   bot.askers) and once with the kept members dropped first, so that the asker is read from the
   database as on a member's first search in a while.
2. Search over --vectors random unit 384-d vectors (10 chunks per document, a few random keyword terms
   each), with questions near stored vectors: the exact float32 matrix-vector product plus top-k alone,
   and the whole hybrid SearchIndex.search (dense + BM25 + per-document fusion), p50/p95 over --searches
   questions, and how often the document each question was made near ranks first.
3. With --keyword-build N: building the keyword index of N passages of 60 terms (Zipf-distributed over
   20,000) with knowledge/bm25.py against bm25s's own build (what the index used before), interleaved,
   three times each, and whether their scores agree to the bit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bench.make_demo_beir import HAND_WRITTEN  # noqa: E402
from bot.app.core import Lighthouse  # noqa: E402
from bot.message import Author, Message  # noqa: E402
from config import Settings  # noqa: E402
from config.settings import DEFAULT_EMBEDDING_MODEL  # noqa: E402
from knowledge.embeddings import from_bytes, get_encoder, to_bytes  # noqa: E402
from knowledge.ingest import EMBEDDING_MODEL_KEY, bump_version, ingest  # noqa: E402
from knowledge.language import analyse  # noqa: E402
from knowledge.search import DocBlock, DocInfo, SearchIndex  # noqa: E402
from storage.models import Chunk, Document  # noqa: E402

QUESTIONS = [text for text, _ in HAND_WRITTEN[:20]]
console = Console(width=120)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def grow(core: Lighthouse, target_chunks: int, seed: int = 1, model: str = DEFAULT_EMBEDDING_MODEL) -> int:
    """Add synthetic documents made of the demo's passages until the knowledge base has `target_chunks`."""
    rng = np.random.default_rng(seed)
    async with core.db.session() as session:
        rows = (await session.execute(select(Chunk.heading, Chunk.text, Chunk.embedding))).all()
        have = len(rows)
    vectors = np.stack([from_bytes(r.embedding) for r in rows])
    number = 0
    now = datetime.now(UTC)
    while have < target_chunks:
        batch = min(2000, -(-(target_chunks - have) // 5))
        documents = [
            {
                "source_id": f"synthetic-{number + i}", "source_path": f"synthetic/{number + i}.md",
                "kind": ("pilot", "report", "tool")[(number + i) % 3], "title": f"Synthetic document {number + i}",
                "content_hash": str(number + i), "themes": ["obesity"], "countries": ["DK"], "sectors": [],
                "organisations": [], "meta": {EMBEDDING_MODEL_KEY: model}, "created_at": now, "updated_at": now,
            }
            for i in range(batch)
        ]
        async with core.db.session() as session, session.begin():
            ids = (await session.execute(insert(Document).returning(Document.id), documents)).scalars().all()
            chunk_rows = []
            for document_id in ids:
                picks = rng.choice(len(rows), size=5, replace=False)
                noisy = vectors[picks] + rng.normal(0, 0.05, size=(5, vectors.shape[1])).astype(np.float32)
                noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
                chunk_rows.extend(
                    {"document_id": document_id, "ordinal": i, "heading": rows[p].heading, "text": rows[p].text, "embedding": to_bytes(v)}
                    for i, (p, v) in enumerate(zip(picks, noisy, strict=True))
                )
            await session.execute(insert(Chunk), chunk_rows)
            await bump_version(session)
        have += 5 * batch
        number += batch
    return have


async def find_latency(model: str, chunks: int, rounds: int) -> tuple[int, float, float]:
    encoder = get_encoder(model)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{folder}/bench.db", ingest_demo_on_empty=False, embedding_model=model)
        core = Lighthouse(settings)
        await core.start()
        try:
            await ingest(core.db, ROOT / "data" / "demo", encoder)
            total = await grow(core, chunks, model=model)
            knowledge = core.knowledge
            started = time.perf_counter()
            await knowledge.index.ensure_fresh()
            load_seconds = time.perf_counter() - started
            author = Author(platform="console", user_id="bench", display_name="bench")
            for question in QUESTIONS[:3]:  # warm-up: caches, first page writes, thread pool
                await core.handle(Message(author=author, text=f"find {question}", is_direct=True))
                encoder.encode_query(question)
            find_times, encode_times, first_times = [], [], []
            for _ in range(rounds):
                for question in QUESTIONS:
                    started = time.perf_counter()
                    encoder.encode_query(question)
                    encode_times.append(time.perf_counter() - started)
                    analyse.cache_clear()  # each search reads its question afresh, as a new question would be
                    started = time.perf_counter()
                    reply = await core.handle(Message(author=author, text=f"find {question}", is_direct=True))
                    find_times.append(time.perf_counter() - started)
                    assert reply.sections, reply.text
                    await core.paginator.flush()  # the later pages' write, outside the timing (as after sending)
                    # The same, with the asker read from the database (a member's first search in a while).
                    core.runtime.members.forget()
                    analyse.cache_clear()
                    started = time.perf_counter()
                    await core.handle(Message(author=author, text=f"find {question}", is_direct=True))
                    first_times.append(time.perf_counter() - started)
                    await core.paginator.flush()
        finally:
            await core.close()
    find_p50, find_p95 = percentiles(find_times)
    first_p50, first_p95 = percentiles(first_times)
    encode_p50, encode_p95 = percentiles(encode_times)
    table = Table(
        title=f"`find` through the core on {total:,} chunks, {model} ({len(find_times)} questions; index loaded in "
        f"{load_seconds:.2f} s; load average {os.getloadavg()[0]:.1f})"
    )
    for column in ("", "p50 ms", "p95 ms"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row("find (core.handle)", f"{find_p50 * 1000:.1f}", f"{find_p95 * 1000:.1f}")
    table.add_row("find, the asker read from the database", f"{first_p50 * 1000:.1f}", f"{first_p95 * 1000:.1f}")
    table.add_row("bare encoder.encode_query(question)", f"{encode_p50 * 1000:.1f}", f"{encode_p95 * 1000:.1f}")
    table.add_row("ratio find / encode", f"{find_p50 / encode_p50:.2f}", f"{find_p95 / encode_p95:.2f}")
    table.add_row("ratio, the asker read", f"{first_p50 / encode_p50:.2f}", f"{first_p95 / encode_p95:.2f}")
    console.print(table)
    return total, find_p50 / encode_p50, encode_p50


def search_latency(count: int, searches: int, dimension: int = 384, per_document: int = 10) -> None:
    rng = np.random.default_rng(3)
    started = time.perf_counter()
    matrix = rng.standard_normal((count, dimension), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    index = SearchIndex(dimension)
    vocabulary = [f"term{i}" for i in range(20_000)]
    for word in vocabulary:
        index.vocabulary[word] = len(index.vocabulary)
    blocks = []
    for doc in range(count // per_document):
        start = doc * per_document
        term_ids = rng.integers(0, len(vocabulary), size=per_document * 6).astype(np.int32)
        blocks.append(
            DocBlock(
                DocInfo(id=doc + 1, source_id=f"d{doc}", kind="pilot", title="", content_hash=""),
                np.arange(start, start + per_document, dtype=np.int64), matrix[start : start + per_document],
                term_ids, np.full(per_document, 6, dtype=np.int32),
            )
        )
    index.update(blocks)
    del matrix, blocks
    build_seconds = time.perf_counter() - started
    # Questions near stored passages (as real questions are), not uniformly random directions.
    near = rng.integers(0, count, size=searches + 3)
    queries = index._snapshot.matrix[near] + rng.normal(0, 0.05, size=(searches + 3, dimension)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    snapshot = index._snapshot
    times: dict[str, list[float]] = {"dense": [], "hybrid": []}
    agreement = []
    for n, query in enumerate(queries):
        query_terms = [vocabulary[(n * 7 + k) % len(vocabulary)] for k in range(3)]
        started = time.perf_counter()
        scores = snapshot.matrix @ query
        np.argpartition(-scores, 100)[:100]
        dense = time.perf_counter() - started
        started = time.perf_counter()
        hits = index.search(query, query_terms, limit=25)
        hybrid = time.perf_counter() - started
        assert len(hits) == 25
        if n >= 3:  # the first few warm caches
            times["dense"].append(dense)
            times["hybrid"].append(hybrid)
            # Random vectors have no meaningful neighbours except the one each question was made near.
            source = int(near[n]) // per_document + 1
            agreement.append(hits[0].doc.id == source)
    title = f"Search over {count:,} random {dimension}-d vectors ({count // per_document:,} documents; index built in {build_seconds:.0f} s"
    title += ")"
    table = Table(title=title)
    for column in ("", "p50 ms", "p95 ms"):
        table.add_column(column, justify="right" if column else "left")
    rows = [
        ("dense only: float32 matrix @ q + top-100", times["dense"]),
        ("hybrid SearchIndex.search (target p50 <= 50)", times["hybrid"]),
    ]
    for label, samples in rows:
        p50, p95 = percentiles(samples)
        table.add_row(label, f"{p50 * 1000:.1f}", f"{p95 * 1000:.1f}")
    console.print(table)
    console.print(f"the document each question was made near ranks first: {statistics.mean(agreement):.0%}")


def keyword_build(count: int, per_passage: int = 60, vocabulary: int = 20_000, repeats: int = 3) -> None:
    from types import SimpleNamespace

    import bm25s

    from knowledge.bm25 import KeywordIndex

    rng = np.random.default_rng(3)
    flat = (rng.zipf(1.3, size=count * per_passage) % vocabulary).astype(np.int32)
    counts = np.full(count, per_passage, dtype=np.int32)
    chunks = flat.reshape(count, per_passage).tolist()
    times: dict[str, list[float]] = {"bm25s": [], "knowledge/bm25.py": []}
    same = True
    for _ in range(repeats):
        started = time.perf_counter()
        reference = bm25s.BM25()
        reference.index(SimpleNamespace(ids=chunks, vocab={i: i for i in range(vocabulary)}), show_progress=False, create_empty_token=False)
        times["bm25s"].append(time.perf_counter() - started)
        started = time.perf_counter()
        ours = KeywordIndex(flat, counts, vocabulary)
        times["knowledge/bm25.py"].append(time.perf_counter() - started)
        for ids in ([1], [5, 77], [0, 3, 900, 19_999]):
            same &= bool(np.array_equal(ours.scores(ids), reference.get_scores_from_ids(ids)))
    console.print(
        f"keyword index build, {count:,} passages x {per_passage} terms: "
        + "; ".join(f"{name} {', '.join(f'{t:.2f}' for t in samples)} s" for name, samples in times.items())
        + f"; scores identical: {same}  [load average {os.getloadavg()[0]:.1f}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_EMBEDDING_MODEL, help="embedding model (default: the shipped default)")
    parser.add_argument("--chunks", type=int, nargs="*", default=[0, 10_000, 100_000], help="sizes; 0 is the demo alone (none: skip)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--vectors", type=int, default=1_000_000, help="0 skips the large search benchmark")
    parser.add_argument("--searches", type=int, default=30)
    parser.add_argument("--keyword-build", type=int, default=0, metavar="N", help="compare keyword index builds of N passages")
    args = parser.parse_args()
    if args.keyword_build:
        keyword_build(args.keyword_build)
    summary = [asyncio.run(find_latency(args.model, chunks, args.rounds)) for chunks in args.chunks]
    if summary:
        console.print(
            "find / bare encode_query, p50: "
            + "; ".join(f"{total:,} chunks {ratio:.2f} (encode {encode * 1000:.1f} ms)" for total, ratio, encode in summary)
            + f"  [{args.model}; load average {os.getloadavg()[0]:.1f}]"
        )
    if args.vectors:
        search_latency(args.vectors, args.searches)


if __name__ == "__main__":
    main()
