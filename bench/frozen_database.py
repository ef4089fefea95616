"""A frozen PostgreSQL: how long members wait for an answer, and how long the bot takes to recover.

The bot talks to PostgreSQL through a local TCP proxy (tests/db_proxy.py) that is then frozen: it keeps
every connection open and accepts new ones, but forwards nothing, as a server that stops answering.
Messages arrive meanwhile, in waves (a mix that needs the database and `help`, which does not); then the
proxy forwards again and the bot must answer normally without a restart. Default settings
(`LIGHTHOUSE_DATABASE_TIMEOUT_SECONDS=5`).

    python bench/frozen_database.py [--members 20] [--waves 3] [--postgres URL]

Prints the slowest answer while frozen (target: every message answered within 10 s), what the answers
were, and the time from "answers again" to the first normal answer. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import make_url  # noqa: E402

from bench.server_statements import on_server  # noqa: E402
from bot.app.core import Lighthouse  # noqa: E402
from bot.app.router import DATABASE_APOLOGY  # noqa: E402
from bot.message import Author, Message  # noqa: E402
from config import Settings  # noqa: E402
from tests.db_proxy import FreezableProxy  # noqa: E402

TEXTS = ["profile", "help", "event list", "intro list", "help event", "profile"]
TARGET_SECONDS = 10.0


async def ask(core: Lighthouse, user: str, words: str) -> tuple[str, float]:
    started = time.monotonic()
    message = Message(author=Author("console", user, user), text=words, channel_id="console", is_direct=True)
    reply = await core.handle(message)
    return reply.plain_text(), time.monotonic() - started


def kind(words: str, answer: str) -> str:
    if answer == DATABASE_APOLOGY:
        return "apology"
    if "Something went wrong" in answer:
        return "error id"
    return "help answered" if words.startswith("help") else "answered"


async def run(server_url: str, members: int, waves: int) -> int:
    name = f"lh_bench_{uuid.uuid4().hex[:8]}"
    await on_server(server_url, f'CREATE DATABASE "{name}"')
    server = make_url(server_url)
    proxy = FreezableProxy(server.host or "127.0.0.1", server.port or 5432)
    port = await proxy.start()
    url = server.set(host="127.0.0.1", port=port, database=name).render_as_string(hide_password=False)
    core = Lighthouse(Settings(_env_file=None, database_url=url, ingest_demo_on_empty=False))
    failed = 0
    try:
        await core.start()
        users = [f"member{index}" for index in range(members)]
        normal = {}
        for user in users:  # every member known, every pool connection warm
            normal[user], _ = await ask(core, user, "profile")

        proxy.pause()
        frozen_at = time.monotonic()
        slowest, outcomes = 0.0, Counter()
        for wave in range(waves):
            asked = [(user, TEXTS[(index + wave) % len(TEXTS)]) for index, user in enumerate(users)]
            answers = await asyncio.gather(*(ask(core, user, words) for user, words in asked))
            for (_user, words), (answer, seconds) in zip(asked, answers, strict=True):
                slowest = max(slowest, seconds)
                outcomes[kind(words, answer)] += 1
        ready = (await core.check_readiness())["database"]["ready"]
        print(f"frozen for {time.monotonic() - frozen_at:.1f} s: {sum(outcomes.values())} messages from "
              f"{members} members in {waves} waves; slowest answer {slowest:.2f} s (target {TARGET_SECONDS:.0f} s)")
        print("  answers: " + ", ".join(f"{count} {what}" for what, count in sorted(outcomes.items())))
        print(f"  /readyz database ready while frozen: {ready}")
        failed += slowest >= TARGET_SECONDS or ready or outcomes["error id"] > 0 or outcomes["answered"] > 0

        proxy.resume()
        resumed_at = time.monotonic()
        while True:
            answer, _ = await ask(core, users[0], "profile")
            if answer == normal[users[0]] or time.monotonic() - resumed_at > 60:
                break
            await asyncio.sleep(0.1)
        recovered = answer == normal[users[0]]
        recovery = time.monotonic() - resumed_at
        answers = await asyncio.gather(*(ask(core, user, "profile") for user in users))
        all_normal = sum(answer == normal[user] for user, (answer, _) in zip(users, answers, strict=True))
        ready = (await core.check_readiness())["database"]["ready"]
        print(f"after the database answers again: first normal answer after {recovery:.2f} s (no restart); "
              f"then {all_normal} of {members} members answered normally; /readyz database ready: {ready}")
        failed += not recovered or all_normal != members or not ready
    finally:
        proxy.resume()
        await core.close()
        await proxy.close()
        await on_server(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get(
        "LIGHTHOUSE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    raise SystemExit(asyncio.run(run(args.postgres, args.members, args.waves)))


if __name__ == "__main__":
    main()
