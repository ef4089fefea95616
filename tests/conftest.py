"""Fixtures: every database test runs on SQLite, and on PostgreSQL too when LIGHTHOUSE_TEST_POSTGRES_URL is set.

Each PostgreSQL test gets a database of its own, created from the server URL and dropped afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Tests (and the bots they start) never touch the real user data folder: the default database and the
# console history go to a temporary one (platformdirs reads XDG_DATA_HOME).
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="lighthouse-test-data-")

from bot.app.catalogue import ALL_FEATURES  # noqa: E402
from bot.app.core import Lighthouse  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.feature import Feature  # noqa: E402
from bot.runtime import database_for  # noqa: E402
from config import Settings  # noqa: E402
from knowledge.service import KnowledgeService  # noqa: E402
from storage.database import Database  # noqa: E402
from tests.support import Chat, RecordingTransport  # noqa: E402

# Fixtures of the Slack adapter tests (a fake Slack Web API, signed requests).
pytest_plugins = ["tests.slack_support"]

POSTGRES_URL = os.environ.get("LIGHTHOUSE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Fast tests first, model-loading ("slow") tests last.
    items.sort(key=lambda item: 1 if item.get_closest_marker("slow") else 0)


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:  # noqa: ANN001
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("LIGHTHOUSE_TEST_POSTGRES_URL is not set")
    name = f"lh_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path) -> Settings:  # noqa: ANN001
    return Settings(
        _env_file=None,
        database_url=database_url,
        ingest_demo_on_empty=False,
        knowledge_dir=tmp_path / "knowledge",
        admins=["console:admin"],
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def database(settings: Settings) -> Database:
    """The core's database, made before the core so that a test's own knowledge base can use it."""
    return database_for(settings)


@pytest.fixture
def knowledge(database: Database, settings: Settings) -> KnowledgeService:
    """The core's knowledge base; a test module overrides this fixture to give it a fake encoder."""
    return KnowledgeService(database, settings)


@pytest.fixture
def features() -> tuple[Feature, ...]:
    """The features the core is built with; a test module overrides this fixture to add a test feature."""
    return ALL_FEATURES


@pytest.fixture
async def core(
    settings: Settings,
    clock: ManualClock,
    database: Database,
    knowledge: KnowledgeService,
    features: tuple[Feature, ...],
) -> AsyncIterator[Lighthouse]:
    bot = Lighthouse(settings, db=database, clock=clock, knowledge=knowledge, features=features)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.close()


@pytest.fixture
async def core_with(settings: Settings, clock: ManualClock) -> AsyncIterator[Callable[..., Awaitable[Lighthouse]]]:
    """Builds and starts a core with the features given and the knowledge base `knowledge` makes from its
    database; closed after the test. For a test whose core depends on its parameters, or a second core."""
    built: list[Lighthouse] = []

    async def build(
        features: Iterable[Feature] = ALL_FEATURES, *, knowledge: Callable[[Database], KnowledgeService] | None = None
    ) -> Lighthouse:
        db = database_for(settings)
        service = knowledge(db) if knowledge is not None else None
        bot = Lighthouse(settings, db=db, clock=clock, knowledge=service, features=features)
        built.append(bot)
        await bot.start()
        return bot

    try:
        yield build
    finally:
        for bot in built:
            await bot.close()


@pytest.fixture
def transport(core: Lighthouse) -> RecordingTransport:
    recording = RecordingTransport()
    core.register_transport(recording)
    return recording


@pytest.fixture
def chat(core: Lighthouse) -> Chat:
    return Chat(core)
