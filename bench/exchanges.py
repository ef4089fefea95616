"""Exchange-logging throughput: messages/s through `core.observe`, with no row lost.

Baseline: messages observed one after another (one transaction each). Shipped: the same messages
arriving concurrently, as a busy Slack or Discord delivers them, written with group commit.
Prints a table per back end; target ≥ 2,000 messages/s on SQLite on 2 cores.

    python bench/exchanges.py [--messages 20000] [--in-flight 500] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.app.core import Lighthouse  # noqa: E402
from bot.message import Author, Message  # noqa: E402
from config import Settings  # noqa: E402
from config.vocabulary import SECTORS  # noqa: E402
from storage.models import Exchange, Member, Organisation, PlatformIdentity  # noqa: E402

COUNTRIES = ["DK", "SE", "NO", "FI", "DE", "NL", "KE", "IN"]


async def seed(core: Lighthouse, members: int, organisations: int) -> list[Author]:
    rng = random.Random(7)
    authors = []
    async with core.db.session() as session, session.begin():
        orgs = []
        for i in range(organisations):
            org = Organisation(
                name=f"Organisation {i}", name_key=f"organisation {i}",
                sector=rng.choice(list(SECTORS)), country=rng.choice(COUNTRIES),
            )
            session.add(org)
            orgs.append(org)
        await session.flush()
        for i in range(members):
            org = orgs[i % organisations]
            member = Member(display_name=f"user{i}", organisation_id=org.id, sector=org.sector, country=org.country)
            member.identities.append(PlatformIdentity(platform="slack", platform_user_id=f"U{i:05d}"))
            session.add(member)
            authors.append(Author(platform="slack", user_id=f"U{i:05d}", display_name=f"user{i}"))
    return authors


def make_messages(authors: list[Author], count: int, tag: str) -> list[Message]:
    rng = random.Random(11)
    messages = []
    for i in range(count):
        a, b = rng.sample(authors, 2)
        messages.append(Message(author=b, text="(not stored)", channel_id="C1", message_id=f"{tag}-{i}", reply_to=a))
    return messages


async def stored(core: Lighthouse, tag: str) -> int:
    async with core.db.session() as session:
        query = select(func.count(Exchange.id)).where(Exchange.dedupe_key.like(f"slack:C1:{tag}-%"))
        return (await session.execute(query)).scalar() or 0


async def expected(core: Lighthouse, messages: list[Message]) -> int:
    """Replies within one organisation are not exchanges: count the ones that should be stored."""
    async with core.db.session() as session:
        rows = await session.execute(select(PlatformIdentity.platform_user_id, Member.organisation_id).join(Member))
        org_of = dict(rows.all())
    return sum(1 for m in messages if org_of[m.author.user_id] != org_of[m.reply_to.user_id])


async def run_backend(name: str, url: str, count: int, in_flight: int) -> list[tuple]:
    core = Lighthouse(Settings(_env_file=None, database_url=url, ingest_demo_on_empty=False))
    await core.start()
    try:
        authors = await seed(core, members=400, organisations=60)
        baseline_messages = make_messages(authors, max(count // 10, 500), "base")
        start = time.perf_counter()
        for message in baseline_messages:
            await core.observe(message)
        baseline_rate = len(baseline_messages) / (time.perf_counter() - start)
        base_ok = await stored(core, "base") == await expected(core, baseline_messages)

        messages = make_messages(authors, count, "batch")
        semaphore = asyncio.Semaphore(in_flight)

        async def deliver(message: Message) -> None:
            async with semaphore:
                await core.observe(message)

        start = time.perf_counter()
        await asyncio.gather(*(deliver(m) for m in messages))
        rate = len(messages) / (time.perf_counter() - start)
        ok = await stored(core, "batch") == await expected(core, messages)
        return [
            (name, "one at a time (baseline)", len(baseline_messages), baseline_rate, 1.0, base_ok),
            (name, f"{in_flight} in flight (group commit)", len(messages), rate, rate / baseline_rate, ok),
        ]
    finally:
        await core.close()


async def postgres_database(server_url: str) -> tuple[str, callable]:
    name = f"lh_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))

    async def drop() -> None:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    return server_url.rsplit("/", 1)[0] + f"/{name}", drop


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--in-flight", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get(
        "LIGHTHOUSE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows += await run_backend("SQLite", f"sqlite+aiosqlite:///{folder}/bench.db", args.messages, args.in_flight)
    if not args.no_postgres:
        try:
            url, drop = await postgres_database(args.postgres)
        except Exception as exc:  # no server: say so and keep the SQLite figures
            Console().print(f"PostgreSQL skipped: {exc.__class__.__name__}: {exc}")
        else:
            try:
                rows += await run_backend("PostgreSQL", url, args.messages, args.in_flight)
            finally:
                await drop()

    table = Table(title="Exchange logging throughput")
    for column in ("back end", "delivery", "messages", "messages/s", "× baseline", "no row lost"):
        table.add_column(column, justify="right" if column in {"messages", "messages/s", "× baseline"} else "left")
    for backend, mode, count, rate, ratio, ok in rows:
        table.add_row(backend, mode, f"{count:,}", f"{rate:,.0f}", f"{ratio:.1f}", "yes" if ok else "NO")
    Console(width=120).print(table)


if __name__ == "__main__":
    asyncio.run(main())
