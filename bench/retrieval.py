"""Retrieval quality on a BEIR-format folder: nDCG@10 and Recall@100 for BM25 only, dense only and the
shipped hybrid, all through the knowledge base's own chunking and search index.

    python bench/retrieval.py DATASET_DIR [--model NAME] [--sweep] [--max-queries N] [--max-docs N]

DATASET_DIR holds corpus.jsonl, queries.jsonl and qrels/test.tsv (e.g. NFCorpus from BEIR, or the demo
development set written by bench/make_demo_beir.py). Query-id prefixes before the first "-" (the demo
set's hand/tags/expertise) get a row each. `--sweep` also scores other fusion settings, to choose the
shipped one on a development set as a whole (never per query). Corpus embeddings are cached under
~/.cache/lighthouse-bench, so a second run only embeds the queries.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from config.settings import BUNDLED_MODEL  # noqa: E402
from knowledge.chunking import embedding_text, sections, split_words  # noqa: E402
from knowledge.embeddings import get_encoder  # noqa: E402
from knowledge.search import SHIPPED_FUSION, DocBlock, DocInfo, Fusion, SearchIndex  # noqa: E402
from knowledge.terms import terms  # noqa: E402

CACHE = Path.home() / ".cache" / "lighthouse-bench"


def load(dataset: Path, max_docs: int | None, max_queries: int | None):  # noqa: ANN201
    corpus = [json.loads(line) for line in (dataset / "corpus.jsonl").open(encoding="utf-8") if line.strip()]
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with (dataset / "qrels" / "test.tsv").open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            parts = line.rstrip("\n").split("\t")
            if number == 0 and not parts[-1].lstrip("-").isdigit():
                continue  # header
            qrels[parts[0]][parts[1]] = int(parts[2])
    queries = [json.loads(line) for line in (dataset / "queries.jsonl").open(encoding="utf-8") if line.strip()]
    queries = [q for q in queries if q["_id"] in qrels]
    if max_docs:
        corpus = corpus[:max_docs]
    if max_queries:
        queries = queries[:max_queries]
    return corpus, queries, qrels


def chunk_corpus(corpus: list[dict]) -> list[tuple[int, list[tuple[str | None, str]]]]:
    """Each document split as ingest splits a Markdown body: by headings, then by length with overlap."""
    chunked = []
    for position, doc in enumerate(corpus):
        pieces = [(heading, piece) for heading, text in sections(doc.get("text") or "") for piece in split_words(text)]
        chunked.append((position, pieces or [(None, "")]))
    return chunked


def build_index(corpus, chunked, encoder, dataset: Path) -> SearchIndex:  # noqa: ANN001
    texts = [embedding_text(corpus[p].get("title") or "", h, t) for p, pieces in chunked for h, t in pieces]
    key = hashlib.sha256((encoder.name + str(dataset.resolve()) + str(len(texts)) + texts[0] + texts[-1]).encode()).hexdigest()[:16]
    cache = CACHE / f"{key}.npy"
    if cache.exists():
        vectors = np.load(cache)
    else:
        started = time.perf_counter()
        vectors = encoder.encode(texts, batch_size=64)
        print(f"embedded {len(texts):,} chunks in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
    index = SearchIndex(vectors.shape[1])
    blocks, offset = [], 0
    for position, pieces in chunked:
        doc = corpus[position]
        info = DocInfo(id=position + 1, source_id=str(doc["_id"]), kind="report", title=doc.get("title") or "", content_hash="")
        chunk_terms = [terms(embedding_text(info.title, h, t)) for h, t in pieces]
        term_ids, counts = index.term_ids(chunk_terms)
        ids = np.arange(offset, offset + len(pieces), dtype=np.int64)
        blocks.append(DocBlock(info, ids, vectors[offset : offset + len(pieces)], term_ids, counts))
        offset += len(pieces)
    index.update(blocks)
    return index


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    gains = [relevant.get(doc, 0) for doc in ranked[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def evaluate(index: SearchIndex, queries, query_vectors, qrels, fusion: Fusion) -> dict[str, tuple]:  # noqa: ANN001
    """Per query-id group: (nDCG@10, Recall@10, Recall@100, number of queries)."""
    per_group: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for query, vector in zip(queries, query_vectors, strict=True):
        hits = index.search(vector, terms(query["text"]), limit=100, fusion=fusion)
        ranked = [hit.doc.source_id for hit in hits]
        relevant = qrels[query["_id"]]
        scores = (ndcg_at_10(ranked, relevant), recall_at(ranked, relevant, 10), recall_at(ranked, relevant, 100))
        per_group["all"].append(scores)
        if "-" in query["_id"] and not query["_id"].split("-")[0].isdigit():
            per_group[query["_id"].split("-")[0]].append(scores)
    return {
        group: (*(float(np.mean([s[i] for s in values])) for i in range(3)), len(values))
        for group, values in per_group.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--model", default=BUNDLED_MODEL)
    parser.add_argument("--sweep", action="store_true", help="also score other fusion settings")
    parser.add_argument("--max-docs", type=int)
    parser.add_argument("--max-queries", type=int)
    args = parser.parse_args()

    corpus, queries, qrels = load(args.dataset, args.max_docs, args.max_queries)
    encoder = get_encoder(args.model)
    chunked = chunk_corpus(corpus)
    index = build_index(corpus, chunked, encoder, args.dataset)
    query_vectors = encoder.encode([encoder.truncate(q["text"])[0] for q in queries], batch_size=64)

    settings: list[tuple[str, Fusion]] = [
        ("BM25 only", Fusion(method="bm25")),
        ("dense only", Fusion(method="dense")),
        (f"hybrid (shipped: {SHIPPED_FUSION.method}, alpha {SHIPPED_FUSION.alpha})", SHIPPED_FUSION),
    ]
    if args.sweep:
        settings += [(f"convex alpha {a}", Fusion(method="convex", alpha=a)) for a in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)]
        settings += [(f"RRF k={k}", Fusion(method="rrf", rrf_k=k)) for k in (10, 60)]
    results = [(label, evaluate(index, queries, query_vectors, qrels, fusion)) for label, fusion in settings]

    groups = sorted(results[0][1], key=lambda g: (g != "all", g))
    title = (
        f"{args.dataset.name}: {len(corpus):,} documents, {index.chunk_count:,} chunks, {len(queries):,} queries, "
        f"model {encoder.name}"
    )
    table = Table(title=title)
    for column in ("method", "queries", "nDCG@10", "Recall@10", "Recall@100"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for group in groups:
        for label, scores in results:
            ndcg, r10, r100, count = scores[group]
            table.add_row(f"{label}" + (f" · {group}" if len(groups) > 1 else ""), str(count), f"{ndcg:.3f}", f"{r10:.3f}", f"{r100:.3f}")
        table.add_section()
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
