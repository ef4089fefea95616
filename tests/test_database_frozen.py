"""A database that stops answering: every message is answered within the time limit (an apology, or the
answer itself for `help`), health checks say so, and the bot recovers by itself when the database answers.

The PostgreSQL test freezes a local TCP proxy in front of the server (connections stay open, nothing is
forwarded: tests/db_proxy.py); the other test makes every session of a SQLite database hang.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app.core import Lighthouse
from bot.app.router import DATABASE_APOLOGY
from config import Settings
from tests.conftest import POSTGRES_URL
from tests.db_proxy import FreezableProxy
from tests.support import Chat

LIMIT = 2.0  # database_timeout_seconds in these tests
ANSWERED_WITHIN = 8.0  # the limit and a probe (2 s + 1.2 s), with room for a busy machine; the target is 10 s


async def timed(chat: Chat, text_: str, as_user: str = "alice") -> tuple[str, float]:
    started = time.monotonic()
    reply = await chat.say(text_, as_user=as_user)
    return reply.plain_text(), time.monotonic() - started


@pytest.fixture
async def frozen_postgres(tmp_path) -> AsyncIterator[tuple[Lighthouse, FreezableProxy]]:
    if not POSTGRES_URL:
        pytest.skip("LIGHTHOUSE_TEST_POSTGRES_URL is not set")
    server = make_url(POSTGRES_URL)
    name = f"lh_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    proxy = FreezableProxy(server.host or "127.0.0.1", server.port or 5432)
    port = await proxy.start()
    url = server.set(port=port, database=name, host="127.0.0.1").render_as_string(hide_password=False)
    settings = Settings(
        _env_file=None,
        database_url=url,
        database_timeout_seconds=LIMIT,
        ingest_demo_on_empty=False,
        knowledge_dir=tmp_path / "knowledge",
        admins=["console:admin"],
    )
    core = Lighthouse(settings)
    await core.start()
    try:
        yield core, proxy
    finally:
        proxy.resume()
        await core.close()
        await proxy.close()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.mark.postgres
async def test_a_frozen_postgres_gets_every_message_answered_and_recovers(frozen_postgres):
    core, proxy = frozen_postgres
    chat = Chat(core)
    before, _ = await timed(chat, "profile")
    assert before != DATABASE_APOLOGY and "Something went wrong" not in before
    assert (await core.check_readiness())["database"]["ready"] is True

    proxy.pause()
    texts = ["profile", "help", "event list", "profile", "help profile", "intro list"]
    answers = await asyncio.gather(*(timed(chat, t, as_user=f"user{i}") for i, t in enumerate(texts)))
    for sent, (answer, seconds) in zip(texts, answers, strict=True):
        assert seconds < ANSWERED_WITHIN, (sent, seconds)
        if sent.startswith("help"):
            assert "Something went wrong" not in answer and "database" not in answer, answer
        else:
            assert answer == DATABASE_APOLOGY, (sent, answer)
    assert "Commands" in answers[1][0]
    # Once the bot knows, `help` answers at once; health checks turn to 503.
    answer, seconds = await timed(chat, "help")
    assert seconds < 1.5 and "Commands" in answer
    assert (await core.check_readiness())["database"]["ready"] is False

    proxy.resume()
    deadline = time.monotonic() + 15
    while True:  # recovery without a restart
        answer, seconds = await timed(chat, "profile")
        if answer != DATABASE_APOLOGY or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert answer == before
    assert (await core.check_readiness())["database"]["ready"] is True


async def test_help_is_answered_while_every_database_call_hangs(core, monkeypatch):
    core.settings.database_timeout_seconds = LIMIT
    chat = Chat(core)
    assert "Commands" in (await timed(chat, "help"))[0]

    class Hanging:
        async def __aenter__(self):
            await asyncio.Event().wait()

        async def __aexit__(self, *exc):
            return False

    monkeypatch.setattr(core.db, "session", lambda: Hanging())
    monkeypatch.setattr(core.db, "_select_one", _never_answers(core))
    answer, seconds = await timed(chat, "help")
    assert "Commands" in answer and seconds < ANSWERED_WITHIN
    answer, seconds = await timed(chat, "profile")
    assert answer == DATABASE_APOLOGY and seconds < ANSWERED_WITHIN
    assert core.readiness()["database"]["ready"] is False


def _never_answers(core):
    async def probe(timeout: float) -> bool:
        await asyncio.sleep(timeout)
        core.db.noted(False)
        return False

    return probe


async def test_readyz_turns_503_while_the_database_does_not_answer(slack, core, monkeypatch):
    base = slack.url.removesuffix("/slack/events")
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/readyz") as response:
            assert (await response.json())["services"]["database"]["ready"] is True
        monkeypatch.setattr(core.db, "_select_one", _never_answers(core))
        core.db._checked_at = 0.0  # the last probe is not recent
        started = time.monotonic()
        async with session.get(f"{base}/readyz") as response:
            assert response.status == 503
            assert (await response.json())["services"]["database"]["ready"] is False
        assert time.monotonic() - started < 3.5
