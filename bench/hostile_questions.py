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
import signal
import string
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import bench.startup as startup  # noqa: E402
from config.settings import DEFAULT_EMBEDDING_MODEL  # noqa: E402
from tests.slack_support import BOT_TOKEN, SIGNING_SECRET, FakeSlack, command_payload, sign  # noqa: E402

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
    fake = FakeSlack()
    await fake.start()
    arrivals: dict[str, float] = {}
    record = fake._record

    async def stamped(call):  # noqa: ANN001, ANN202 - a fake Slack call
        if call.method == "response_url":
            arrivals[call.args["url_token"]] = time.perf_counter()
        await record(call)

    fake._record = stamped  # type: ignore[method-assign]
    port = startup.free_port()
    url = f"http://127.0.0.1:{port}"
    env = startup.base_env(database_url)
    env.update(
        LIGHTHOUSE_SLACK_BOT_TOKEN=BOT_TOKEN, LIGHTHOUSE_SLACK_SIGNING_SECRET=SIGNING_SECRET,
        LIGHTHOUSE_SLACK_HOST="127.0.0.1", LIGHTHOUSE_SLACK_PORT=str(port), LIGHTHOUSE_SLACK_API_URL=fake.api_url,
        LIGHTHOUSE_LOG_LEVEL="WARNING",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    results = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

            async def ask(text: str) -> str:
                payload = command_payload(fake, text, user="U0ALICE")
                body = urlencode(payload).encode()
                stamp = int(time.time())
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": sign(body, stamp),
                }
                async with session.post(f"{url}/slack/events", data=body, headers=headers) as response:
                    await response.read()
                return payload["response_url"].rsplit("/", 1)[1]

            async def answered(token: str) -> None:
                while token not in arrivals:
                    if process.returncode is not None:
                        raise RuntimeError("the bot stopped")
                    await asyncio.sleep(0.01)

            while True:
                try:
                    async with session.get(f"{url}/healthz", timeout=aiohttp.ClientTimeout(total=1)) as response:
                        if response.status == 200:
                            break
                except (aiohttp.ClientError, TimeoutError):
                    await asyncio.sleep(0.05)
            await answered(await ask("find school meals"))  # warm-up: the model, the index, the first page
            for label, text in questions():
                done = asyncio.Event()
                delays: list[float] = []

                async def probe(done: asyncio.Event = done, delays: list[float] = delays) -> None:
                    while not done.is_set():
                        sent = time.perf_counter()
                        async with session.get(f"{url}/healthz") as response:
                            await response.read()
                        delays.append(time.perf_counter() - sent)
                        await asyncio.sleep(PROBE_SECONDS)

                prober = asyncio.create_task(probe())
                sent = time.perf_counter()
                token = await ask(text)
                await answered(token)
                done.set()
                await prober
                results.append((label, max(delays, default=0.0), arrivals[token] - sent))
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
        await fake.stop()
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
