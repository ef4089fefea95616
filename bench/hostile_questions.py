"""How long a hostile question holds up everyone else: the slowest `GET /healthz` while it is answered.

    python bench/hostile_questions.py [--database URL] [--model NAME]

`python main.py` in Slack HTTP mode against a local fake Slack Web API, on a database with the demo
knowledge base (ingested into a temporary SQLite file unless --database names a filled one), as
bench/startup.py runs it. After a warm-up search, each question below is sent as a signed `/lighthouse`
command while `GET /healthz` is probed every 50 ms; for each: the slowest probe while it was answered and
how long its answer took to reach the response_url. The baseline is an ordinary question in the same run.
Target: no probe delayed more than 200 ms, every question answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import string
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import bench.startup as startup  # noqa: E402
from config.settings import DEFAULT_EMBEDDING_MODEL  # noqa: E402

console = Console(width=120)
PROBE_SECONDS = 0.05


def questions() -> list[tuple[str, str]]:
    letters = random.Random(1)
    random_word = "".join(letters.choice(string.ascii_lowercase) for _ in range(20_000))
    random_words = " ".join("".join(letters.choice(string.ascii_lowercase) for _ in range(8)) for _ in range(2_222))
    return [
        ("an ordinary question (baseline)", "find healthy school meals for children"),
        ("one letter 20,000 times", "find " + "y" * 20_000),
        ("20,000 random letters, no space", "find " + random_word),
        ("20,000 characters of random 8-letter words", "find " + random_words),
        ("20,000 characters of real words", "find " + "school meals and obesity " * 800),
    ]


async def measure(database_url: str) -> list[tuple[str, float, float]]:
    bot = startup.SlackBot(database_url)
    await bot.start()
    results = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            await bot.listening(session)
            await bot.answered((await bot.command(session, "find school meals", "U0ALICE"))[2])  # warm-up
            for label, text in questions():
                done = asyncio.Event()
                delays: list[float] = []

                async def probe(done: asyncio.Event = done, delays: list[float] = delays) -> None:
                    while not done.is_set():
                        sent = time.perf_counter()
                        async with session.get(f"{bot.url}/healthz") as response:
                            await response.read()
                        delays.append(time.perf_counter() - sent)
                        await asyncio.sleep(PROBE_SECONDS)

                prober = asyncio.create_task(probe())
                sent, _, token = await bot.command(session, text, "U0ALICE")
                answered = await bot.answered(token)
                done.set()
                await prober
                results.append((label, max(delays, default=0.0), answered - sent))
    finally:
        await bot.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="an already-ingested database URL (default: a fresh demo database)")
    parser.add_argument("--model", default=DEFAULT_EMBEDDING_MODEL, help="embedding model (default: the shipped default)")
    args = parser.parse_args()
    startup.MODEL = args.model
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'hostile.db'}"
        if args.database is None:
            startup.ingest_demo(database_url)
        results = asyncio.run(measure(database_url))
    table = Table(title=f"Hostile questions through Slack, {args.model} (load average {os.getloadavg()[0]:.1f})")
    for column in ("question", "slowest /healthz meanwhile", "answered after", "target ≤ 200 ms"):
        table.add_column(column, justify="left" if column == "question" else "right")
    for label, worst, answer in results:
        table.add_row(label, f"{worst * 1000:.0f} ms", f"{answer:.2f} s", "met" if worst <= 0.2 else "NOT met")
    console.print(table)


if __name__ == "__main__":
    main()
