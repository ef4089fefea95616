"""Retrieval quality on a BEIR-format folder: nDCG@10 and Recall@100 for BM25 only, dense only and the
shipped hybrid, all through the knowledge base's own chunking and search index; optionally the
"nothing matches well" calibration and each model's cost.

    python bench/retrieval.py DATASET_DIR [--model NAME ...] [--sweep] [--no-answer FILE] [--cost]
                              [--max-queries N] [--max-docs N]

DATASET_DIR holds corpus.jsonl, queries.jsonl and qrels/test.tsv (e.g. NFCorpus from BEIR, or the demo
development sets written by bench/make_demo_beir.py: demo-beir, and demo-multilingual with the same
questions in nine languages). Query-id prefixes before the first "-" (hand/tags/expertise, or the
language) get a row each. `--model` may be given several times (the first is the baseline); by default
MiniLM and the multilingual default. `--sweep` also scores other fusion settings, to choose the shipped
one on a development set as a whole (never per query).

`--no-answer FILE` (JSON lines: _id, kind, text; bench/data/no-answer.jsonl) adds the confidence
calibration: the match margin (knowledge/confidence.py: best passage similarity minus similarity to
unrelated text) of every answerable development question and of every question the knowledge base
cannot answer. Two thresholds are calibrated, each the highest that flags at most
CALIBRATION_ANSWERABLE_SHARE of its answerable questions: one on the questions in English (the language
of the demo passages: ids en-/hand-/tags-/expertise-), one on those in the other languages; a question
gets one or the other by the share of its terms known to the knowledge base (knowledge.embeddings.WeakMatch). The table shows what share of each set is flagged, and the same for
the thresholds the encoder ships with.

`--cost` measures each model in a fresh process: resident memory with the model loaded (after a query
and a passage), and the first-start ingest of the demo knowledge base into a new SQLite database; and,
in this process, the p50 time to encode one question. Corpus embeddings are cached under
~/.cache/lighthouse-bench, so a second run only embeds the queries.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import subprocess
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

from knowledge.chunking import embedding_text, sections, split_words  # noqa: E402
from knowledge.confidence import match_margin  # noqa: E402
from knowledge.embeddings import MINILM_MODEL, MULTILINGUAL_MODEL, Encoder, WeakMatch, get_encoder  # noqa: E402
from knowledge.search import SHIPPED_FUSION, DocBlock, DocInfo, Fusion, SearchIndex  # noqa: E402
from knowledge.terms import terms  # noqa: E402

CACHE = Path.home() / ".cache" / "lighthouse-bench"
# The calibrated "nothing matches well" threshold flags at most this share of the answerable questions
# (the target allows 5%; the margin is for real questions phrased less well than the development set).
CALIBRATION_ANSWERABLE_SHARE = 0.02


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


def encode_queries(encoder: Encoder, texts: list[str]) -> tuple[np.ndarray, list[float]]:
    """Each question as the service encodes it (truncated, one at a time), with the seconds each took."""
    vectors, seconds = [], []
    encoder.encode_query("warm up")
    for text in texts:
        started = time.perf_counter()
        vectors.append(encoder.encode_query(encoder.truncate(text)[0]))
        seconds.append(time.perf_counter() - started)
    return np.vstack(vectors) if vectors else np.zeros((0, encoder.dimension), dtype=np.float32), seconds


def margins(encoder: Encoder, index: SearchIndex, texts: list[str], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the service judges confidence by, for each question (searched as the service does): the match
    margin, and the share of its terms the knowledge base knows."""
    found = [
        (match_margin(encoder, v, index.search(v, terms(t), limit=25, fusion=SHIPPED_FUSION)), index.known_share(terms(t)))
        for t, v in zip(texts, vectors, strict=True)
    ]
    return np.array([m for m, _ in found]), np.array([k for _, k in found])


def calibrate(answerable: np.ndarray) -> float:
    """The highest threshold (rounded down to 0.001) below which at most the allowed share of answerable
    questions fall."""
    allowed = int(CALIBRATION_ANSWERABLE_SHARE * len(answerable))
    threshold = float(np.sort(answerable)[allowed])  # that many questions lie strictly below it
    return math.floor(threshold * 1000) / 1000


def cost_in_fresh_process(model: str) -> dict[str, float]:
    """RSS with the model loaded, and a first-start ingest of the demo, in a process of its own."""
    code = f"""
import asyncio, json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from bench.retrieval import vm_kib
from knowledge.embeddings import get_encoder
from knowledge.ingest import ingest
from storage.database import Database
started = time.perf_counter()
encoder = get_encoder({model!r})
encoder.encode_query("warm up"); encoder.encode(["a passage to warm up"])
loaded = {{"load_s": time.perf_counter() - started, "rss_loaded_mb": vm_kib("VmRSS") / 1024}}
async def first_start():
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{{folder}}/kb.db")
        await db.migrate()
        started = time.perf_counter()
        report = await ingest(db, Path({str(ROOT / "data" / "demo")!r}), encoder)
        await db.dispose()
        return time.perf_counter() - started, report.chunks
seconds, chunks = asyncio.run(first_start())
print(json.dumps({{**loaded, "ingest_s": seconds, "chunks": chunks, "peak_rss_mb": vm_kib("VmHWM") / 1024}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def vm_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--model", action="append", help="may be repeated; the first is the baseline")
    parser.add_argument("--sweep", action="store_true", help="also score other fusion settings")
    parser.add_argument("--no-answer", type=Path, help="questions the knowledge base cannot answer (JSON lines)")
    parser.add_argument("--cost", action="store_true", help="memory, first-start ingest and query latency per model")
    parser.add_argument("--max-docs", type=int)
    parser.add_argument("--max-queries", type=int)
    args = parser.parse_args()
    models = args.model or [MINILM_MODEL, MULTILINGUAL_MODEL]
    console = Console(width=150)

    corpus, queries, qrels = load(args.dataset, args.max_docs, args.max_queries)
    no_answer = [json.loads(line) for line in args.no_answer.open(encoding="utf-8") if line.strip()] if args.no_answer else []
    chunked = chunk_corpus(corpus)
    summary = Table(title=f"{args.dataset.name}: shipped hybrid nDCG@10 per group, each model against the baseline {models[0]}")
    summary.add_column("group")
    summary.add_column("queries", justify="right")
    for model in models:
        summary.add_column(model.removeprefix("bundled:"), justify="right")
    summary_rows: dict[str, list[str]] = {}
    confidence = Table(title="“Nothing in the knowledge base matches this well”: share of questions flagged")
    for column in ("model", "thresholds (same / other language)", "answerable flagged", *sorted({q["kind"] for q in no_answer}), "all no-answer flagged"):
        confidence.add_column(column, justify="left" if column.startswith(("model", "thresholds")) else "right")
    costs = Table(title="Cost of each model on this machine")
    for column in ("model", "query encode p50", "p90", "RSS, model loaded", "first-start ingest of the demo", "peak RSS during it"):
        costs.add_column(column, justify="left" if column == "model" else "right")

    for model in models:
        encoder = get_encoder(model)
        index = build_index(corpus, chunked, encoder, args.dataset)
        query_vectors, seconds = encode_queries(encoder, [q["text"] for q in queries])

        settings: list[tuple[str, Fusion]] = [
            ("BM25 only", Fusion(method="bm25")),
            ("dense only", Fusion(method="dense")),
            ("hybrid, keywords at full weight", Fusion(scale_keywords_by_known_terms=False)),
            (f"hybrid (shipped: {SHIPPED_FUSION.method}, alpha {SHIPPED_FUSION.alpha})", SHIPPED_FUSION),
        ]
        if args.sweep:
            settings += [(f"convex alpha {a}", Fusion(method="convex", alpha=a)) for a in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)]
            settings += [(f"RRF k={k}", Fusion(method="rrf", rrf_k=k)) for k in (10, 60)]
        results = [(label, evaluate(index, queries, query_vectors, qrels, fusion)) for label, fusion in settings]

        groups = sorted(results[0][1], key=lambda g: (g != "all", g != "en", g))
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
        console.print(table)
        shipped = results[3][1]
        english = shipped.get("en", (None,))[0]
        for group in groups:
            ndcg, _, _, count = shipped[group]
            ratio = f" ({ndcg / english:.2f}× en)" if english and group not in ("all", "en") else ""
            summary_rows.setdefault(group, [group, str(count)]).append(f"{ndcg:.3f}{ratio}")

        if no_answer:
            answerable, answerable_known = margins(encoder, index, [q["text"] for q in queries], query_vectors)
            unanswerable_vectors, _ = encode_queries(encoder, [q["text"] for q in no_answer])
            unanswerable, unanswerable_known = margins(encoder, index, [q["text"] for q in no_answer], unanswerable_vectors)
            # Questions in the passages' language (English in the demo) and in others, told apart by id.
            english = np.array([q["_id"].split("-")[0] in ("en", "hand", "tags", "expertise") for q in queries])
            calibrated = WeakMatch(
                same_language=calibrate(answerable[english]) if english.any() else math.inf,
                other_language=calibrate(answerable[~english]) if (~english).any() else -math.inf,
            )
            kinds = sorted({q["kind"] for q in no_answer})
            for label, rule in (("calibrated", calibrated), ("shipped", encoder.weak_match_below)):
                if rule is None:
                    confidence.add_row(encoder.name, f"{label}: none", *["-"] * (len(kinds) + 2))
                    continue
                flagged = np.array([rule.is_weak(m, k) for m, k in zip(unanswerable, unanswerable_known, strict=True)])
                answerable_flagged = np.array([rule.is_weak(m, k) for m, k in zip(answerable, answerable_known, strict=True)])
                by_kind = [float(np.mean([f for f, q in zip(flagged, no_answer, strict=True) if q["kind"] == kind])) for kind in kinds]
                confidence.add_row(
                    encoder.name, f"{label}: {rule.same_language:.3f} / {rule.other_language:.3f}",
                    f"{answerable_flagged.mean():.1%}", *(f"{share:.0%}" for share in by_kind), f"{flagged.mean():.1%}",
                )
            print(
                f"{encoder.name}: match margin, answerable min/p2/p50 {answerable.min():.3f}/{np.quantile(answerable, 0.02):.3f}/"
                f"{np.median(answerable):.3f}; no-answer p50/p90/max {np.median(unanswerable):.3f}/"
                f"{np.quantile(unanswerable, 0.9):.3f}/{unanswerable.max():.3f}",
                file=sys.stderr,
            )
            confidence.add_section()

        if args.cost:
            measured = cost_in_fresh_process(model)
            p50, p90 = statistics.median(seconds), float(np.quantile(seconds, 0.9))
            costs.add_row(
                encoder.name, f"{p50 * 1000:.1f} ms", f"{p90 * 1000:.1f} ms", f"{measured['rss_loaded_mb']:.0f} MB",
                f"{measured['ingest_s']:.1f} s ({measured['chunks']} chunks)", f"{measured['peak_rss_mb']:.0f} MB",
            )

    for row in summary_rows.values():
        summary.add_row(*row)
    console.print(summary)
    if no_answer:
        console.print(confidence)
    if args.cost:
        console.print(costs)


if __name__ == "__main__":
    main()
