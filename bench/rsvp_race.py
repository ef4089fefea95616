"""RSVP races: `going` and `not_going` for the same member at the same instant, from two processes.

Every member of a fresh database gets both answers at once: one bot process says `going` for all of them
while another says `not_going`, both released at the same moment. Members start with no RSVP, `going`
or `not_going` (a third each). Afterwards every member's final RSVP is checked against their reminders:
going (or interested) must have every reminder still ahead pending, not going must have none pending.

    python bench/rsvp_race.py [--pairs 100] [--rounds 1] [--postgres URL | --sqlite]

Prints how many of the pairs ended consistent; the exit status is 1 when any did not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench.server_statements import on_server  # noqa: E402
from bot.app.core import Lighthouse  # noqa: E402
from bot.events import reminders, service  # noqa: E402
from bot.events.fields import EventFields  # noqa: E402
from bot.members.service import resolve_member  # noqa: E402
from bot.message import Author  # noqa: E402
from config import Settings  # noqa: E402
from storage.lookups import find_by_identity  # noqa: E402
from storage.models import RSVP, Job  # noqa: E402

EVENT_START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)


def settings_for(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url, ingest_demo_on_empty=False)


def member_name(index: int) -> str:
    return f"racer{index:04d}"


async def prepare(url: str, pairs: int) -> int:
    """A coordinator's event and `pairs` members, a third with no RSVP, a third going, a third not going."""
    core = Lighthouse(settings_for(url))
    await core.start()
    try:
        async with core.db.session() as session, session.begin():
            organiser = await resolve_member(session, Author("console", "organiser", "organiser"))
        fields = EventFields(title="Race", start=EVENT_START, timezone="UTC", given={"title", "start"})
        event = await service.create_event(core, fields, organiser=organiser)
        for index in range(pairs):
            async with core.db.session() as session, session.begin():
                member = await resolve_member(session, Author("console", member_name(index), member_name(index)))
            if index % 3 == 1:
                await service.set_rsvp(core, event.id, member, "going")
            elif index % 3 == 2:
                await service.set_rsvp(core, event.id, member, "not_going")
        return event.id
    finally:
        await core.close()


async def race(url: str, event_id: int, pairs: int, status: str, at: float) -> None:
    """One process's half: `status` for every member, all at once, starting at the wall-clock time `at`."""
    core = Lighthouse(settings_for(url))
    await core.start()
    try:
        members = []
        async with core.db.session() as session:
            for index in range(pairs):
                members.append(await find_by_identity(session, "console", member_name(index)))
        await asyncio.sleep(max(0.0, at - time.time()))
        await asyncio.gather(*(service.set_rsvp(core, event_id, member, status) for member in members))
    finally:
        await core.close()


async def check(url: str, event_id: int) -> tuple[int, int, list[str]]:
    """(consistent, total, descriptions of the inconsistent ones)."""
    core = Lighthouse(settings_for(url))
    try:
        offsets = [o for o in reminders.reminder_offsets(core.settings) if EVENT_START - o > datetime.now(UTC)]
        async with core.db.session() as session:
            rsvps = (await session.execute(select(RSVP).where(RSVP.event_id == event_id))).scalars().all()
            jobs = (await session.execute(select(Job).where(Job.kind == reminders.REMINDER_JOB))).scalars().all()
        pending: dict[int, int] = {}
        for job in jobs:
            if job.status == "pending":
                pending[job.payload["member_id"]] = pending.get(job.payload["member_id"], 0) + 1
        bad = []
        for rsvp in rsvps:
            wanted = len(offsets) if rsvp.status in reminders.REMINDED_STATUSES else 0
            if pending.get(rsvp.member_id, 0) != wanted:
                bad.append(f"member {rsvp.member_id}: {rsvp.status} with {pending.get(rsvp.member_id, 0)} pending")
        return len(rsvps) - len(bad), len(rsvps), bad
    finally:
        await core.close()


def run_round(url: str, pairs: int) -> tuple[int, int, list[str]]:
    event_id = asyncio.run(prepare(url, pairs))
    at = time.time() + 6.0  # both processes have started and loaded their members by then
    worker = [sys.executable, __file__, "--worker", "--url", url, "--event", str(event_id), "--pairs", str(pairs)]
    processes = [
        subprocess.Popen([*worker, "--status", status, "--at", str(at)]) for status in ("going", "not_going")
    ]
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"a racing process exited with {process.returncode}")
    return asyncio.run(check(url, event_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres", default=os.environ.get(
        "LIGHTHOUSE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--sqlite", action="store_true", help="race on a SQLite file instead")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--event", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--status", help=argparse.SUPPRESS)
    parser.add_argument("--at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(race(args.url, args.event, args.pairs, args.status, args.at))
        return

    consistent = total = 0
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            if args.sqlite:
                backend, drop = "SQLite", None
                url = f"sqlite+aiosqlite:///{folder}/race.db"
            else:
                backend, name = "PostgreSQL", f"lh_bench_{uuid.uuid4().hex[:8]}"
                asyncio.run(on_server(args.postgres, f'CREATE DATABASE "{name}"'))
                url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
                drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
            try:
                ok, count, bad = run_round(url, args.pairs)
            finally:
                if drop is not None:
                    asyncio.run(on_server(args.postgres, drop))
        consistent, total = consistent + ok, total + count
        for line in bad:
            print("  inconsistent:", line)
    print(f"{backend}: {consistent} of {total} simultaneous going/not_going pairs (two processes) ended with "
          "reminders consistent with the final RSVP")
    raise SystemExit(0 if consistent == total else 1)


if __name__ == "__main__":
    main()
