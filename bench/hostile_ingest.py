"""Peak memory of `python main.py ingest` over a hostile knowledge folder, against the good files alone.

    python bench/hostile_ingest.py [--pilots 8] [--experts 8] [--guard-mb 1500] [--model NAME]

Two runs of the real command, each in a fresh process and a fresh SQLite database, in the same run of
this script:

1. baseline: a folder of good files only (the first --pilots pilots and --experts expert profiles of the
   demo, its organisations, reports and tools);
2. hostile: the same good files beside a YAML "billion laughs" file (10 ** 9 values once its aliases
   are expanded), the same bomb as a Markdown file's front matter, JSON and YAML files nested 100 levels,
   a JSON file nested 100,000 levels, a CSV file with one 10 MB field (and one with a 2 MB field, under
   the file size limit), a 9.6 MB Markdown file of one word (7,500 passages: over the passage limit, within
   the size limit), and a link to a file outside the folder.

For each: the peak resident memory of the ingest process (from the kernel, `wait4`), its exit status,
the documents stored, and for the hostile run every bad file named in its output with the reason. The
target: at most 300 MB, every good file stored, each bad file named. A guard stops a run whose memory
passes --guard-mb (so a regression cannot take the machine down) and says so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

console = Console(width=140)
TARGET_MB = 300
MB = 1024 * 1024


def good_folder(target: Path, pilots: int, experts: int) -> Path:
    demo = ROOT / "data" / "demo"
    for kind, count in (("pilots", pilots), ("experts", experts)):
        (target / kind).mkdir(parents=True)
        for path in sorted((demo / kind).glob("*.md"))[:count]:
            shutil.copy(path, target / kind / path.name)
    for name in ("organisations.yaml", "reports", "tools"):
        source = demo / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / name)
    return target


def laughs(levels: int = 9, fanout: int = 10) -> str:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * fanout) + "]")
    return "\n".join(lines) + "\n"


def add_hostile_files(folder: Path, outside: Path) -> dict[str, str]:
    """The bad files, by path relative to the folder, with what each is."""
    bad = folder / "incoming"
    bad.mkdir()
    (bad / "laughs.yaml").write_text(laughs() + "kind: report\ntitle: Laughs\nsummary: *lol9\n", encoding="utf-8")
    (bad / "laughs-front-matter.md").write_text("---\n" + laughs() + "kind: pilot\ntitle: *lol9\n---\nText.\n", encoding="utf-8")
    (bad / "nested-100.json").write_text('{"kind": "report", "title": "Deep", "summary": ' + "[" * 100 + "]" * 100 + "}", encoding="utf-8")
    (bad / "nested-100.yaml").write_text("kind: report\ntitle: Deep\nsummary: " + "[" * 100 + "]" * 100 + "\n", encoding="utf-8")
    (bad / "nested-100000.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (bad / "big-field.csv").write_text("kind,id,title,summary\ntool,tool-big,Big,\"" + "x" * (10 * MB) + "\"\n", encoding="utf-8")
    (bad / "long-field.csv").write_text("kind,id,title,summary\ntool,tool-long,Long,\"" + "x" * (2 * MB) + "\"\n", encoding="utf-8")
    # Within the size limit, but one long run of text: 7,500 passages to embed.
    (bad / "endless.md").write_text("---\nkind: report\ntitle: Endless\n---\n" + "obesity " * 1_200_000, encoding="utf-8")
    outside.mkdir(parents=True, exist_ok=True)
    secret = outside / "private-notes.md"
    secret.write_text("---\nkind: report\ntitle: Private notes\n---\nNot for the bot.\n", encoding="utf-8")
    (bad / "linked-notes.md").symlink_to(secret)
    return {
        "incoming/laughs.yaml": "YAML billion laughs (10^9 values)",
        "incoming/laughs-front-matter.md": "the same as Markdown front matter",
        "incoming/nested-100.json": "JSON nested 100 levels",
        "incoming/nested-100.yaml": "YAML nested 100 levels",
        "incoming/nested-100000.json": "JSON nested 100,000 levels",
        "incoming/big-field.csv": "CSV with a 10 MB field",
        "incoming/long-field.csv": "CSV with a 2 MB field (a smaller file)",
        "incoming/linked-notes.md": "link to a file outside the folder",
        "incoming/endless.md": "9.6 MB of one word (7,500 passages)",
    }


def run_ingest(folder: Path, database: Path, guard_mb: int, model: str | None) -> dict:
    env = {
        **os.environ,
        "LIGHTHOUSE_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "LIGHTHOUSE_INGEST_DEMO_ON_EMPTY": "false",
        "HF_HUB_OFFLINE": "1",
        "COLUMNS": "300",  # one line per reported file
    }
    if model:
        env["LIGHTHOUSE_EMBEDDING_MODEL"] = model
    output = database.with_suffix(".out")
    started = time.perf_counter()
    with output.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "main.py", "ingest", str(folder)], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        guard = {"tripped": False, "polled_mb": 0.0}

        def watch() -> None:
            try:
                watched = psutil.Process(process.pid)
                while True:
                    rss = watched.memory_info().rss / MB
                    guard["polled_mb"] = max(guard["polled_mb"], rss)
                    if rss > guard_mb:
                        guard["tripped"] = True
                        process.kill()
                        return
                    time.sleep(0.02)
            except psutil.Error:  # the process ended
                return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        watcher.join()
    seconds = time.perf_counter() - started
    documents: set[str] = set()
    if database.exists():
        with sqlite3.connect(database) as connection:
            try:
                documents = {row[0] for row in connection.execute("SELECT source_id FROM documents")}
            except sqlite3.OperationalError:
                documents = set()
    return {
        "peak_mb": usage.ru_maxrss / 1024,  # Linux reports KiB
        "status": process.returncode,
        "seconds": seconds,
        "documents": documents,
        "output": output.read_text(encoding="utf-8", errors="replace"),
        "guard": guard,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilots", type=int, default=8)
    parser.add_argument("--experts", type=int, default=8)
    parser.add_argument("--guard-mb", type=int, default=1500)
    parser.add_argument("--model", default=None, help="LIGHTHOUSE_EMBEDDING_MODEL for both runs (default: the bot's)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lighthouse-hostile-"))
    try:
        good = good_folder(work / "good", args.pilots, args.experts)
        hostile = good_folder(work / "hostile", args.pilots, args.experts)
        bad = add_hostile_files(hostile, work / "outside")
        size = sum(p.stat().st_size for p in hostile.rglob("*") if p.is_file() and not p.is_symlink())
        console.print(f"Hostile folder: {size / MB:,.1f} MB on disk; {len(bad)} bad files beside the good ones.")

        baseline = run_ingest(good, work / "baseline.db", args.guard_mb, args.model)
        attacked = run_ingest(hostile, work / "hostile.db", args.guard_mb, args.model)

        table = Table(title="python main.py ingest: peak RSS of the process (wait4 ru_maxrss)")
        for column in ("run", "peak RSS", "exit", "time", "documents stored"):
            table.add_column(column)
        for name, run in (("good files only (baseline)", baseline), ("good + hostile files", attacked)):
            peak = f"{run['peak_mb']:,.0f} MB" + (" (stopped by the guard)" if run["guard"]["tripped"] else "")
            table.add_row(name, peak, str(run["status"]), f"{run['seconds']:.1f} s", str(len(run["documents"])))
        console.print(table)

        missing = baseline["documents"] - attacked["documents"]
        named = {path: next((line.strip() for line in attacked["output"].splitlines() if path in line), None) for path in bad}
        reasons = Table(title="Bad files in the hostile run's report")
        reasons.add_column("file")
        reasons.add_column("what it is")
        reasons.add_column("reported as")
        for path, what in bad.items():
            reasons.add_row(path, what, named[path] or "NOT NAMED")
        console.print(reasons)

        difference = attacked["peak_mb"] - baseline["peak_mb"]
        console.print(
            f"Peak RSS {attacked['peak_mb']:,.0f} MB with the hostile files vs {baseline['peak_mb']:,.0f} MB for the good "
            f"files alone ({difference:+,.0f} MB); target ≤ {TARGET_MB} MB: "
            + ("met" if attacked["peak_mb"] <= TARGET_MB and not attacked["guard"]["tripped"] else "NOT met")
        )
        console.print(
            f"Good documents stored: {len(baseline['documents'] & attacked['documents'])} of {len(baseline['documents'])}"
            + (f"; missing: {sorted(missing)}" if missing else "; every good file stored")
        )
        console.print(
            f"Bad files named with a reason: {sum(1 for line in named.values() if line)} of {len(bad)}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
