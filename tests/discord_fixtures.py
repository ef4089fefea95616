"""pytest fixtures for the Discord adapter tests: the fake API and settings pointing at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from discord.http import Route
from pydantic import SecretStr

from config import Settings
from tests.discord_fake import INTRO_CHANNEL_ID, FakeDiscord, Harness


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
def discord_settings(settings: Settings, fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # The adapter points discord.py at LIGHTHOUSE_DISCORD_API_URL process-wide; put it back afterwards.
    monkeypatch.setattr(Route, "BASE", Route.BASE)
    settings.discord.token = SecretStr("test-token")
    settings.discord.api_url = fake_discord.url
    settings.discord.intro_channel_id = INTRO_CHANNEL_ID
    return settings


@pytest.fixture
async def discord(
    core, discord_settings: Settings, fake_discord: FakeDiscord  # noqa: ANN001 - the conftest core
) -> AsyncIterator[Harness]:
    """An adapter logged in to the fake API, with the test server in its cache."""
    harness = await Harness(core, fake_discord).start()
    try:
        yield harness
    finally:
        await harness.close()
