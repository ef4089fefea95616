"""Ctrl-C (SIGINT) stops a server process as cleanly as SIGTERM: the answer being worked on goes out, Discord's
gateway is closed with a normal close code, and the process exits 0.

Each test runs `python main.py` as a separate process against a local fake (Discord's API and gateway:
tests/discord_gateway_fake.py; Slack's Web API: tests/slack_support.py), holds the platform's answer to an
interaction for two seconds, and sends the signal while that answer is on its way.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.discord_fake import slash, user
from tests.discord_gateway_fake import FakeDiscordGateway
from tests.slack_support import BOT_TOKEN, SIGNING_SECRET, FakeSlack, command_payload, sign
from tests.test_startup_errors import free_port

ROOT = Path(__file__).resolve().parent.parent
ALICE = user(800000000000000001, "alice")
HOLD = 2.0  # how long the fake platform holds the answer to the interaction


async def start_bot(tmp_path: Path, **settings: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTHOUSE_")}
    env.update(
        LIGHTHOUSE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        LIGHTHOUSE_INGEST_DEMO_ON_EMPTY="false",
        LIGHTHOUSE_KNOWLEDGE_DIR=str(tmp_path / "knowledge"),
        LIGHTHOUSE_LOG_LEVEL="WARNING",
    )
    env.update({f"LIGHTHOUSE_{name.upper()}": value for name, value in settings.items()})
    return await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def stopped(process: asyncio.subprocess.Process, signum: int) -> tuple[int, str, float]:
    started = time.monotonic()
    process.send_signal(signum)
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, stderr.decode(), time.monotonic() - started


async def kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
        await process.wait()


@pytest.mark.parametrize("shards", [1, 2], ids=["single", "sharded"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_discord_drains_and_closes_the_gateway_normally(tmp_path, shards, signum):
    fake = FakeDiscordGateway(shards=shards)
    await fake.start()
    process = await start_bot(
        # "auto": discord.py asks the API how many shards to run and where the gateway is (the fake says)
        tmp_path, discord_token="fake.discord-token.for-tests", discord_api_url=fake.url, discord_shards="auto",
        exchange_logging="false",
    )
    try:
        await fake.wait_for(lambda: len(fake.identified) == shards, timeout=60)
        fake.callback_delay = HOLD
        await fake.dispatch("INTERACTION_CREATE", slash(ALICE, "help", in_guild=False))
        await fake.wait_for(lambda: fake.callbacks_started == 1, timeout=30)

        status, stderr, seconds = await stopped(process, signum)
        assert status == 0, stderr
        assert "Traceback" not in stderr, stderr
        assert fake.callbacks_answered == 1  # the interaction in flight was answered
        assert any("help" in str(message).lower() for message in fake.posted())
        assert fake.close_codes == [1000] * shards  # a normal close: Discord ends the session at once
        assert HOLD * 0.5 < seconds < 45  # it waited for the answer (the grace time is 10 s; a busy machine)
    finally:
        await kill(process)
        await fake.close()


class SlowSlack(FakeSlack):
    """The fake Slack, holding every response_url answer for a while."""

    hold = 0.0
    responses_started = 0

    async def _respond(self, request):  # noqa: ANN001, ANN202
        self.responses_started += 1
        async with self._changed:
            self._changed.notify_all()
        await asyncio.sleep(self.hold)
        return await super()._respond(request)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_slack_http_mode_drains_before_it_exits(tmp_path, signum):
    fake = SlowSlack()
    await fake.start()
    port = free_port()
    process = await start_bot(
        tmp_path, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=fake.api_url,
        slack_host="127.0.0.1", slack_port=str(port),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            deadline = time.monotonic() + 60
            while True:
                try:
                    async with session.get(f"{url}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                assert time.monotonic() < deadline, "the bot never listened"
                await asyncio.sleep(0.2)
            fake.hold = HOLD
            body = urlencode(command_payload(fake, "help")).encode()
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": str(timestamp),
                "X-Slack-Signature": sign(body, timestamp),
            }
            async with session.post(f"{url}/slack/events", data=body, headers=headers) as response:
                assert response.status == 200
        await asyncio.wait_for(_until(fake, lambda: fake.responses_started == 1), 30)

        status, stderr, seconds = await stopped(process, signum)
        assert status == 0, stderr
        assert "Traceback" not in stderr, stderr
        assert [call.method for call in fake.posts()] == ["response_url"]  # the answer in flight went out
        assert HOLD * 0.5 < seconds < 45  # it waited for the answer (the grace time is 10 s; a busy machine)
    finally:
        await kill(process)
        await fake.stop()


async def _until(fake: FakeSlack, condition) -> None:  # noqa: ANN001
    async with fake._changed:
        await fake._changed.wait_for(condition)
