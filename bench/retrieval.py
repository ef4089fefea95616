"""Retrieval quality on a BEIR-format folder: nDCG@10 and Recall@100 for BM25 only, dense only and the
shipped hybrid, all through the knowledge base's own chunking and search index; optionally the
"nothing matches well" calibration and each model's cost.

    python bench/retrieval.py DATASET_DIR [--model NAME ...] [--sweep] [--no-answer FILE [--also DIR ...]
                              [--dump FILE]] [--cost] [--max-queries N] [--max-docs N]

DATASET_DIR holds corpus.jsonl, queries.jsonl and qrels/test.tsv (e.g. NFCorpus from BEIR, or the demo
development sets written by bench/make_demo_beir.py: demo-beir, and demo-multilingual with the same
questions in nine languages). Query-id prefixes before the first "-" (hand/tags/expertise, or the
language) get a row each. `--model` may be given several times (the first is the baseline); by default
MiniLM and the multilingual default. `--sweep` also scores other fusion settings, to choose the shipped
one on a development set as a whole (never per query).

Keyword terms come from the language analysis (knowledge/language.py: per-language stemming and the
glossary) and translated questions are searched with cross-lingual fusion, as the service searches; two
more rows show the hybrid without fusion and with English keyword terms only (as before both). A query
with `command` (bench/data/demo-real-use) is searched with that command's kinds, and `lang` names its group.

`--no-answer FILE` (JSON lines: _id, kind, lang, text; bench/data/no-answer.jsonl) adds the confidence
calibration (bench/confidence.py): every answerable question of DATASET_DIR and of each `--also DIR`
(searched over DATASET_DIR's documents) and every unanswerable one is searched as its command searches,
its evidence gathered (knowledge/confidence.py), a logistic regression fitted on the calibration half and
every share reported on the held-back half too (the fixed split is in bench/data/README.md), against the
margin threshold used before and the calibration the model ships with; it prints the fitted coefficients
to paste into knowledge.confidence.CALIBRATIONS. `--dump FILE` writes each question's evidence.

`--cost` measures each model in a fresh process: resident memory with the model loaded (after a query
and a passage), and the first-start ingest of the demo knowledge base into a new SQLite database; and,
in this process, the p50 time to encode one question. Corpus embeddings, and question vectors (except for
`--cost`), are cached under ~/.cache/lighthouse-bench, so a second run embeds only what is new.
"""

from __future__ import annotations

import argparse
import dataclasses
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

from bench import confidence as calibration  # noqa: E402
from knowledge.chunking import embedding_text, sections, split_words  # noqa: E402
from knowledge.confidence import CALIBRATIONS  # noqa: E402
from knowledge.embeddings import MINILM_MODEL, MULTILINGUAL_MODEL, Encoder, get_encoder  # noqa: E402
from knowledge.search import SHIPPED_FUSION, DocBlock, DocInfo, Filters, Fusion, SearchIndex  # noqa: E402
from knowledge.spelling import read_question  # noqa: E402
from knowledge.terms import terms  # noqa: E402

CACHE = Path.home() / ".cache" / "lighthouse-bench"
KIND_PREFIXES = {"pilot": "pilot", "expert": "expert", "report": "report", "eval": "report", "tool": "tool"}


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
    # Keyed by the model and every passage text, so datasets sharing a corpus (demo-beir, demo-multilingual)
    # share the cache.
    key = hashlib.sha256("\n".join([encoder.name, *texts]).encode()).hexdigest()[:16]
    cache = CACHE / f"{key}.npy"
    if cache.exists():
        vectors = np.load(cache)
    else:
        started = time.perf_counter()
        vectors = encoder.encode(texts, batch_size=64)
        print(f"embedded {len(texts):,} chunks in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        _save_atomically(cache, lambda f: np.save(f, vectors))
    index = SearchIndex(vectors.shape[1])
    blocks, offset = [], 0
    for position, pieces in chunked:
        doc = corpus[position]
        kind = doc.get("kind") or KIND_PREFIXES.get(str(doc["_id"]).split("-")[0], "report")
        info = DocInfo(
            id=position + 1, source_id=str(doc["_id"]), kind=kind, title=doc.get("title") or "", content_hash="",
            themes=tuple(doc.get("themes", ())), countries=tuple(doc.get("countries", ())), sectors=tuple(doc.get("sectors", ())),
        )
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


def evaluate(index: SearchIndex, queries, query_vectors, qrels, fusion: Fusion, *, analysed: bool = True, fused=None) -> dict[str, tuple]:  # noqa: ANN001
    """Per query-id group: (nDCG@10, Recall@10, Recall@100, number of queries). Keyword terms from the
    language analysis (knowledge/language.py), or with `analysed=False` English stemming alone (as before
    it). A real-use question asked with `experts` ranks expert profiles, with `pilots` pilots."""
    per_group: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for query, vector in zip(queries, query_vectors if fused is None else fused, strict=True):
        kinds = {"experts": frozenset({"expert"}), "pilots": frozenset({"pilot"})}.get(query.get("command", "find"), frozenset())
        keyword_terms = read_question(query["text"], index.passages_holding).analysis.terms if analysed else terms(query["text"])
        hits = index.search(vector, keyword_terms, Filters(kinds=kinds), limit=100, fusion=fusion)
        ranked = [hit.doc.source_id for hit in hits]
        relevant = qrels[query["_id"]]
        scores = (ndcg_at_10(ranked, relevant), recall_at(ranked, relevant, 10), recall_at(ranked, relevant, 100))
        per_group["all"].append(scores)
        if query.get("lang"):
            per_group[query["lang"]].append(scores)
        elif "-" in query["_id"] and not query["_id"].split("-")[0].isdigit():
            per_group[query["_id"].split("-")[0]].append(scores)
    return {
        group: (*(float(np.mean([s[i] for s in values])) for i in range(3)), len(values))
        for group, values in per_group.items()
    }


def fused_vectors(encoder: Encoder, index: SearchIndex, texts: list[str], vectors: np.ndarray) -> np.ndarray:
    """Each question's vector after fusion with its other reading (knowledge.language.fused_query_vector:
    its English rendering, or its typing slips corrected), the other readings embedded through the query
    cache."""
    english = [read_question(text, index.passages_holding).other for text in texts]
    wanted = [e for e in english if e]
    rendered = dict(zip(wanted, encode_queries(encoder, wanted, cached=True)[0], strict=True)) if wanted else {}
    fused = vectors.copy()
    for row, text in enumerate(english):
        if text:
            mixed = vectors[row] + rendered[text]
            fused[row] = mixed / np.linalg.norm(mixed)
    return fused


_query_cache: dict[str, dict[str, np.ndarray]] = {}


def _save_atomically(path: Path, write) -> None:  # noqa: ANN001
    """Write a cache file whole or not at all: two runs at once (or one stopped midway) never leave a
    half-written file for the next run to read."""
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as file:
        write(file)
    os.replace(partial, path)


def encode_queries(encoder: Encoder, texts: list[str], *, cached: bool = False) -> tuple[np.ndarray, list[float]]:
    """Each question as the service encodes it (truncated, one at a time), with the seconds each took.
    With `cached`, vectors of questions embedded by an earlier run are reused (CACHE/queries-*.npz), and
    the seconds are those of the ones embedded now."""
    path = CACHE / f"queries-{hashlib.sha256(encoder.name.encode()).hexdigest()[:12]}.npz"
    known = _query_cache.setdefault(encoder.name, dict(np.load(path)) if cached and path.exists() else {})
    vectors, seconds = [], []
    encoder.encode_query("warm up")
    for text in texts:
        key = hashlib.sha256(text.encode()).hexdigest()
        if cached and key in known:
            vectors.append(known[key])
            continue
        started = time.perf_counter()
        vectors.append(encoder.encode_query(encoder.truncate(text)[0]))
        seconds.append(time.perf_counter() - started)
        known[key] = vectors[-1]
    if cached and seconds:
        _save_atomically(path, lambda f: np.savez(f, **known))
    return np.vstack(vectors) if vectors else np.zeros((0, encoder.dimension), dtype=np.float32), seconds


NO_ANSWER_KINDS = ("absent", "off-topic", "gibberish")


def _share(rows: list, flagged) -> str:  # noqa: ANN001
    return f"{sum(map(flagged, rows)) / len(rows):.1%} ({len(rows)})" if rows else "-"


def confidence_cells(rows: list, flagged) -> list[str]:  # noqa: ANN001
    answerable = [r for r in rows if r.answerable]
    well = [r for r in answerable if r.found]
    return [
        _share(answerable, flagged), _share(well, flagged), _share([r for r in well if r.short], flagged),
        *(_share([r for r in rows if r.kind == kind], flagged) for kind in NO_ANSWER_KINDS),
        _share([r for r in rows if not r.answerable], flagged),
    ]


def language_cells(rows: list, flagged) -> list[str]:  # noqa: ANN001
    cells = []
    for language in (*calibration.LANGUAGES, "none"):
        answerable = [r for r in rows if r.answerable and r.language == language]
        unanswerable = [r for r in rows if not r.answerable and r.language == language]
        shares = [f"{sum(map(flagged, group)) / len(group):.0%}" if group else "-" for group in (answerable, unanswerable)]
        cells.append(f"{shares[0]} / {shares[1]} ({len(answerable)}/{len(unanswerable)})")
    return cells


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
    parser.add_argument("--also", type=Path, action="append", help="more answerable questions (a BEIR folder over the same documents) for --no-answer")
    parser.add_argument("--dump", type=Path, help="with --no-answer: write every question's evidence here (JSON lines)")
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
    for column in ("model", "rule", "part", "answerable flagged", "well answered", "… ≤ 3 words", *NO_ANSWER_KINDS, "no-answer flagged", "README/help examples"):
        confidence.add_column(column, justify="left" if column in ("model", "rule", "part") else "right")
    by_language = Table(title="Held-back part per language: answerable flagged / no-answer flagged (weak, or as the rule says)")
    for column in ("model", "rule", *calibration.LANGUAGES, "none (gibberish)"):
        by_language.add_column(column, justify="left" if column in ("model", "rule") else "right")
    costs = Table(title="Cost of each model on this machine")
    for column in ("model", "query encode p50", "p90", "RSS, model loaded", "first-start ingest of the demo", "peak RSS during it"):
        costs.add_column(column, justify="left" if column == "model" else "right")

    for model in models:
        encoder = get_encoder(model)
        index = build_index(corpus, chunked, encoder, args.dataset)
        query_vectors, seconds = encode_queries(encoder, [q["text"] for q in queries], cached=not args.cost)

        fused = fused_vectors(encoder, index, [q["text"] for q in queries], query_vectors)
        # (label, fusion, keyword terms from the language analysis, vectors after cross-lingual fusion)
        settings: list[tuple[str, Fusion, bool, bool]] = [
            ("BM25 only", Fusion(method="bm25"), True, True),
            ("dense only", Fusion(method="dense"), True, True),
            ("hybrid, keywords at full weight", Fusion(scale_keywords_by_known_terms=False), True, True),
            (f"hybrid (shipped: {SHIPPED_FUSION.method}, alpha {SHIPPED_FUSION.alpha})", SHIPPED_FUSION, True, True),
            ("hybrid, glossary keywords, no cross-lingual fusion", SHIPPED_FUSION, True, False),
            ("hybrid, English keywords only, no fusion (before)", SHIPPED_FUSION, False, False),
        ]
        if args.sweep:
            settings += [(f"convex alpha {a}", Fusion(method="convex", alpha=a), True, True) for a in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)]
            settings += [(f"RRF k={k}", Fusion(method="rrf", rrf_k=k), True, True) for k in (10, 60)]
        results = [
            (label, evaluate(index, queries, query_vectors, qrels, fusion, analysed=analysed, fused=fused if mixed else None))
            for label, fusion, analysed, mixed in settings
        ]

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
            rows = [
                calibration.ask(encoder, index, q, "answerable", v, f, qrels.get(q["_id"]))
                for q, v, f in zip(queries, query_vectors, fused, strict=True)
            ]
            asked = []
            for folder in args.also or []:
                _, folder_queries, folder_qrels = load(folder, None, args.max_queries)
                asked.append((folder_queries, "answerable"))
                qrels.update(folder_qrels)
            for questions, kind in [*asked, (no_answer, None)]:
                texts = [q["text"] for q in questions]
                vectors, _ = encode_queries(encoder, texts, cached=True)
                mixed = fused_vectors(encoder, index, texts, vectors)
                rows += [
                    calibration.ask(encoder, index, q, kind or q["kind"], v, f, qrels.get(q["_id"]))
                    for q, v, f in zip(questions, vectors, mixed, strict=True)
                ]
            if args.dump:
                with args.dump.open("w", encoding="utf-8") as handle:
                    for row in rows:
                        handle.write(json.dumps({**dataclasses.asdict(row), "held_back": row.held_back}, ensure_ascii=False) + "\n")
            development = [r for r in rows if not r.held_back]
            l2, scores = calibration.choose_l2(development)
            for penalty, (answerable, unanswerable) in scores.items():
                print(
                    f"{encoder.name} calibration half, {calibration.FOLDS}-fold cross-validation, L2 {penalty}: "
                    f"well-answered flagged {answerable:.1%}, no-answer flagged {unanswerable:.1%}"
                    + ("  <- chosen" if penalty == l2 else ""),
                    file=sys.stderr,
                )
            answerable, unanswerable = calibration.cross_validate(development, l2, calibration.doubted)
            print(
                f"{encoder.name} the same at L2 {l2}, weak or unsure: well-answered {answerable:.1%}, no-answer {unanswerable:.1%}",
                file=sys.stderr,
            )
            fitted = calibration.fit(development, l2=l2)
            print(f"{encoder.name} fitted on the calibration half:\n{calibration.describe(fitted)}", file=sys.stderr)
            examples = [calibration.ask_example(encoder, index, line) for line in calibration.EXAMPLES]
            # (label, calibration, the level counted: weak alone, or weak or unsure)
            rules = [("before: margin threshold", None, calibration.weak), ("fitted now: weak", fitted, calibration.weak),
                     ("fitted now: weak or unsure", fitted, calibration.doubted)]
            if CALIBRATIONS.get(encoder.name):
                rules += [("shipped: weak", CALIBRATIONS[encoder.name], calibration.weak),
                          ("shipped: weak or unsure", CALIBRATIONS[encoder.name], calibration.doubted)]
            for label, rule, level in rules:
                def flagged(row: calibration.Asked, rule=rule, level=level) -> bool:  # noqa: ANN001
                    return row.before if rule is None else level(rule, row)

                for part, chosen in (("held-back", [r for r in rows if r.held_back]), ("calibration", [r for r in rows if not r.held_back])):
                    confidence.add_row(encoder.name, label, part, *confidence_cells(chosen, flagged),
                                       "-" if rule is None else f"{sum(flagged(e) for e in examples)}/{len(examples)}")
                held = [r for r in rows if r.held_back]
                by_language.add_row(encoder.name, label, *language_cells(held, flagged))
            confidence.add_section()
            by_language.add_section()
            for example in examples:
                if calibration.weak(fitted, example):
                    print(f"example flagged by the fitted model: {example.id} {example.evidence}", file=sys.stderr)

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
        console.print(by_language)
    if args.cost:
        console.print(costs)


if __name__ == "__main__":
    main()
