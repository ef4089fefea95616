"""Start-up: how soon a restarted bot listens, answers its first search, and whether anything stalls meanwhile.

    python bench/startup.py [--database sqlite+aiosqlite:///path.db] [--runs 1] [--fresh] [--model NAME]

1. A database with the demo knowledge base (ingested with `python main.py ingest data/demo` into a
   temporary SQLite file unless --database names one that is already filled).
2. The bare model load: a fresh `python` that only loads the embedding model and encodes one text, timed
   from launch to exit (what any start has to pay at least).
3. `python main.py` in Slack HTTP mode against a local fake Slack Web API, timed from launch:
   - listening: the first answered `GET /healthz`;
   - first search: a signed `/lighthouse find ...` sent as soon as the port listens; its ack, and the
     moment its answer reaches the response_url;
   - meanwhile a steady stream of cheap requests: `GET /healthz` every 50 ms and a signed
     `/lighthouse help` every 200 ms (its ack, and its answer at the response_url); the worst delay of
     each, from launch until one second after the first search was answered;
   - ready: the first `GET /readyz` answered 200.
   - CPU seconds the bot process used until the first search was answered (/proc).
4. With --fresh: the same on a new installation (an empty database; the bot loads the demo knowledge
   base at start, taking the vectors shipped in data/demo/_vectors). Its first search's CPU seconds are
   compared with embedding the demo's passages alone (--embed-baseline measures that in the same run: a
   process that embeds them with the bare model; slow).
Every figure is for --model (default: the shipped default model).
Targets: listening <= 3 s; no cheap request delayed more than 200 ms; a restart's first search answered
within the bare model load + 1 s; a new installation's within 3 s (quiet machine), with CPU seconds
<= 1.1x the demo's embedding alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from config.settings import DEFAULT_EMBEDDING_MODEL  # noqa: E402
from tests.slack_support import BOT_TOKEN, SIGNING_SECRET, Call, FakeSlack, command_payload, sign  # noqa: E402

console = Console(width=120)
SEARCH = "find healthy school meals for children"
BARE_LOAD = (
    "import sys, time; t = time.perf_counter(); name = sys.argv[1];"
    "from knowledge.embeddings import MULTILINGUAL_MODEL, load_encoder, preload_native_libraries;"
    "name == MULTILINGUAL_MODEL or preload_native_libraries(); load_encoder(name)"
)
EMBED_DEMO = (
    "import resource, sys; from knowledge.embeddings import load_encoder; from knowledge.shipped import demo_texts;"
    "encoder = load_encoder(sys.argv[1]); texts = demo_texts(); before = resource.getrusage(resource.RUSAGE_SELF);"
    "encoder.encode(texts); after = resource.getrusage(resource.RUSAGE_SELF);"
    "print(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)"
)
MODEL = DEFAULT_EMBEDDING_MODEL  # --model


@dataclass
class Samples:
    delays: list[tuple[float, float]] = field(default_factory=list)  # (when, seconds) since launch

    def worst(self, until: float) -> float:
        return max((seconds for when, seconds in self.delays if when <= until), default=float("nan"))

    def worst_few(self, until: float, n: int = 3) -> str:
        """The n longest delays, each with when it began: to tell a stall from a first request's set-up."""
        worst = sorted(((s, w) for w, s in self.delays if w <= until), reverse=True)[:n]
        return ", ".join(f"{s * 1000:.0f} ms at {w:.1f} s" for s, w in worst)

    def count(self, until: float) -> int:
        return sum(1 for when, _ in self.delays if when <= until)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def base_env(database_url: str, *, fill: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTHOUSE_")}
    env.update(
        LIGHTHOUSE_DATABASE_URL=database_url, LIGHTHOUSE_INGEST_DEMO_ON_EMPTY="true" if fill else "false",
        LIGHTHOUSE_EMBEDDING_MODEL=MODEL, HF_HUB_OFFLINE="1",
    )
    return env


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def embed_demo_cpu() -> float:
    """CPU seconds a bare model spends embedding the demo's passages (model load excluded)."""
    out = subprocess.run(
        [sys.executable, "-c", EMBED_DEMO, MODEL], cwd=ROOT, env=base_env("sqlite://"), check=True, capture_output=True, text=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def ingest_demo(database_url: str) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "ingest", str(ROOT / "data" / "demo")],
        cwd=ROOT, env=base_env(database_url), check=True, capture_output=True,
    )
    console.print(f"ingested the demo knowledge base in {time.perf_counter() - started:.1f} s")


def bare_model_load() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", BARE_LOAD, MODEL], cwd=ROOT, env=base_env("sqlite://"), check=True)
    return time.perf_counter() - started


class SlackBot:
    """`python main.py` in Slack HTTP mode against a local fake Slack Web API: started, sent signed
    `/lighthouse` commands, stopped. `arrivals` holds when each answer reached its response_url (by token)."""

    def __init__(self, database_url: str, *, fill: bool = False) -> None:
        self.database_url = database_url
        self.fill = fill
        self.fake = FakeSlack()
        self.arrivals: dict[str, float] = {}
        self.url = ""
        self.launched = 0.0
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> asyncio.subprocess.Process:
        await self.fake.start()
        record = self.fake._record

        async def stamped(call: Call) -> None:
            if call.method == "response_url":
                self.arrivals[call.args["url_token"]] = time.perf_counter()
            await record(call)

        self.fake._record = stamped  # type: ignore[method-assign]
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = base_env(self.database_url, fill=self.fill)
        env.update(
            LIGHTHOUSE_SLACK_BOT_TOKEN=BOT_TOKEN,
            LIGHTHOUSE_SLACK_SIGNING_SECRET=SIGNING_SECRET,
            LIGHTHOUSE_SLACK_HOST="127.0.0.1",
            LIGHTHOUSE_SLACK_PORT=str(port),
            LIGHTHOUSE_SLACK_API_URL=self.fake.api_url,
            LIGHTHOUSE_LOG_LEVEL="WARNING",
        )
        self.launched = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "main.py"), cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        return self.process

    async def failed(self) -> RuntimeError | None:
        """The bot's own words when it has stopped (None while it runs)."""
        if self.process is None or self.process.returncode is None:
            return None
        return RuntimeError((await self.process.stderr.read()).decode())

    async def listening(self, session: aiohttp.ClientSession) -> None:
        """Until the first answer to /healthz."""
        while True:
            try:
                async with session.get(f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(total=1)) as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                if (error := await self.failed()) is not None:
                    raise error from None
                await asyncio.sleep(0.01)

    async def command(self, session: aiohttp.ClientSession, text: str, user: str) -> tuple[float, float, str]:
        """A signed `/lighthouse <text>`: when it was sent, when acknowledged, and its response_url token."""
        payload = command_payload(self.fake, text, user=user)
        token = payload["response_url"].rsplit("/", 1)[1]
        body = urlencode(payload).encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": sign(body, stamp),
        }
        sent = time.perf_counter()
        async with session.post(f"{self.url}/slack/events", data=body, headers=headers) as response:
            await response.read()
            assert response.status == 200, response.status
        return sent, time.perf_counter(), token

    async def answered(self, token: str) -> float:
        """When the answer with this token reached its response_url."""
        while token not in self.arrivals:
            if (error := await self.failed()) is not None:
                raise error
            await asyncio.sleep(0.01)
        return self.arrivals[token]

    async def stop(self) -> None:
        process = self.process
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
        await self.fake.stop()


async def run_once(database_url: str, *, cheap_requests: bool = True, fresh: bool = False) -> dict[str, float]:
    bot = SlackBot(database_url, fill=fresh)
    process = await bot.start()
    launched, arrivals, fake, url = bot.launched, bot.arrivals, bot.fake, bot.url
    since = lambda moment: moment - launched  # noqa: E731
    health, acks, answers = Samples(), Samples(), Samples()
    figures: dict[str, float] = {}
    done = asyncio.Event()
    timeout = aiohttp.ClientTimeout(total=60)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await bot.listening(session)
            figures["listening"] = since(time.perf_counter())

            async def probe_health() -> None:
                while not done.is_set():
                    sent = time.perf_counter()
                    async with session.get(f"{url}/healthz") as response:
                        await response.read()
                    health.delays.append((since(sent), time.perf_counter() - sent))
                    await asyncio.sleep(0.05)

            async def probe_help() -> None:
                pending: list[tuple[float, str]] = []
                while not done.is_set():
                    sent, acked, token = await bot.command(session, "help", "U0BOB")
                    acks.delays.append((since(sent), acked - sent))
                    pending.append((sent, token))
                    await asyncio.sleep(0.2)
                await asyncio.sleep(2)  # the last answers
                for sent, token in pending:
                    if token in arrivals:
                        answers.delays.append((since(sent), arrivals[token] - sent))
                    else:
                        answers.delays.append((since(sent), float("inf")))

            probes = [asyncio.create_task(probe_health()), asyncio.create_task(probe_help())] if cheap_requests else []
            sent, acked, token = await bot.command(session, SEARCH, "U0ALICE")
            figures["search ack"] = acked - sent
            figures["first search"] = since(await bot.answered(token))
            figures["cpu"] = cpu_seconds(process.pid)
            answer = next(c for c in fake.calls if c.method == "response_url" and c.args["url_token"] == token)
            figures["search found results"] = float("Best matches" in str(answer.args))
            figures["still loading note"] = float("still loading" in str(answer.args))
            await asyncio.sleep(1.0)
            while True:
                async with session.get(f"{url}/readyz") as response:
                    if response.status == 200:
                        figures["ready"] = since(time.perf_counter())
                        break
                await asyncio.sleep(0.05)
            done.set()
            await asyncio.gather(*probes)
    finally:
        await bot.stop()
    window = figures["first search"] + 1.0
    figures["worst /healthz"] = health.worst(window)
    figures["worst help ack"] = acks.worst(window)
    figures["worst help answer"] = answers.worst(window)
    figures["cheap requests"] = health.count(window) + acks.count(window)
    console.print(f"longest /healthz: {health.worst_few(window)}; longest help acks: {acks.worst_few(window)}")
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="an already-ingested database URL (default: a fresh demo database)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--model", default=DEFAULT_EMBEDDING_MODEL, help="embedding model (default: the shipped default)")
    parser.add_argument("--fresh", action="store_true", help="also a new installation (empty database) each run")
    parser.add_argument("--embed-baseline", action="store_true", help="with --fresh: CPU of embedding the demo alone")
    parser.add_argument(
        "--no-cheap-requests", action="store_true", help="only the first search (what the stream itself costs)"
    )
    args = parser.parse_args()
    global MODEL
    MODEL = args.model
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database
        if database_url is None:
            database_url = f"sqlite+aiosqlite:///{Path(folder) / 'startup.db'}"
            ingest_demo(database_url)
        console.print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
        embed_cpu = embed_demo_cpu() if args.fresh and args.embed_baseline else None
        for run in range(1, args.runs + 1):
            bare = bare_model_load()
            figures = await run_once(database_url, cheap_requests=not args.no_cheap_requests)
            fresh = None
            if args.fresh:
                fresh = await run_once(f"sqlite+aiosqlite:///{Path(folder) / f'fresh{run}.db'}", cheap_requests=False, fresh=True)
            table = Table(title=f"Start-up, run {run}, {MODEL} (seconds from launch unless said otherwise)")
            table.add_column("measure")
            table.add_column("value", justify="right")
            table.add_column("target")
            table.add_row("bare model load (python + the model + one encode)", f"{bare:.2f}", "")
            table.add_row("listening (first /healthz answered)", f"{figures['listening']:.2f}", "≤ 3 s")
            table.add_row("first search: ack after sending", f"{figures['search ack'] * 1000:.0f} ms", "< 3 s")
            table.add_row(
                "restart: first search answered", f"{figures['first search']:.2f}",
                f"≤ {bare + 1:.2f} (bare + 1 s): {'met' if figures['first search'] <= bare + 1 else 'NOT met'}",
            )
            table.add_row("  … with results", "yes" if figures["search found results"] else "NO", "")
            table.add_row("  … CPU seconds of the bot until then", f"{figures['cpu']:.2f}", "")
            table.add_row("ready (/readyz 200)", f"{figures['ready']:.2f}", "")
            table.add_row("cheap requests during the window", f"{figures['cheap requests']:.0f}", "")
            table.add_row("worst /healthz", f"{figures['worst /healthz'] * 1000:.0f} ms", "≤ 200 ms")
            table.add_row("worst `help` ack", f"{figures['worst help ack'] * 1000:.0f} ms", "≤ 200 ms")
            table.add_row("worst `help` answered (response_url)", f"{figures['worst help answer'] * 1000:.0f} ms", "")
            if fresh is not None:
                table.add_row(
                    "new installation: first search answered", f"{fresh['first search']:.2f}",
                    f"≤ 3 s: {'met' if fresh['first search'] <= 3 else 'NOT met'}; {fresh['first search'] - bare:+.2f} s vs bare load",
                )
                table.add_row("  … with results / saying results may improve", f"{'yes' if fresh['search found results'] else 'NO'} / {'yes' if fresh['still loading note'] else 'no'}", "")
                target = f"≤ {1.1 * embed_cpu:.1f} (1.1 × the demo's embedding alone, {embed_cpu:.1f}): {fresh['cpu'] / embed_cpu:.2f}×" if embed_cpu else "near zero with shipped vectors"
                table.add_row("  … CPU seconds of the bot until then", f"{fresh['cpu']:.2f}", target)
                table.add_row("ready (/readyz 200)", f"{fresh['ready']:.2f}", "")
            console.print(table)
            console.print("load average (1, 5, 15 min) after the run: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    asyncio.run(main())
