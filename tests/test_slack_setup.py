"""Setting the Slack app up: the manifests match what the adapter does, settings fail clearly, the runner
starts the HTTP endpoint."""

import asyncio
import json
import os
import socket
import subprocess
import sys
from concurrent.futures import Future
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
import yaml
from pydantic import SecretStr
from sqlalchemy import select

from adapters.runner import run_bot
from adapters.slack import SlackAdapter
from adapters.slack.app import KEEP_RECEIPTS
from bot.app.core import Lighthouse
from bot.delivery import receipt_key
from bot.reply import Attachment, Form, FormField, Reply
from config import Settings, SettingsError, load_settings
from storage.models import DeliveryReceipt
from tests.slack_support import ALICE, BOB, BOT_USER, GENERAL, WAIT, message_event
from tests.test_slack_http import answer_with

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = {
    "socket": yaml.safe_load((ROOT / "adapters/slack/manifest.yaml").read_text()),
    "http": yaml.safe_load((ROOT / "adapters/slack/manifest.http.yaml").read_text()),
}
# The bot scope each Web API method (and each event) needs, from Slack's method and event reference.
METHOD_SCOPES = {
    "auth.test": None,
    "users.info": "users:read",
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "conversations.open": None,  # im:write or mpim:write, checked below
    "views.open": None,
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
}


def without_urls(manifest: dict) -> dict:
    text = yaml.safe_dump(manifest)
    data = yaml.safe_load(text)
    data["features"]["slash_commands"][0].pop("url", None)
    data["settings"]["event_subscriptions"].pop("request_url", None)
    data["settings"]["interactivity"].pop("request_url", None)
    data["settings"].pop("socket_mode_enabled")
    return data


def test_the_two_manifests_differ_only_in_how_slack_reaches_the_bot():
    assert without_urls(MANIFESTS["socket"]) == without_urls(MANIFESTS["http"])
    assert MANIFESTS["socket"]["settings"]["socket_mode_enabled"] is True
    http = MANIFESTS["http"]
    urls = {
        http["features"]["slash_commands"][0]["url"],
        http["settings"]["event_subscriptions"]["request_url"],
        http["settings"]["interactivity"]["request_url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")


def test_the_manifest_declares_the_command_and_events_the_adapter_serves():
    manifest = MANIFESTS["socket"]
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == Settings(_env_file=None).slack.command
    assert command["should_escape"] is True  # mentions in the command text arrive as <@U…> tokens
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(EVENT_SCOPES)
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {scope for scope in EVENT_SCOPES.values()} <= scopes


async def test_every_web_api_method_the_adapter_calls_is_covered_by_a_manifest_scope(
    slack, fake_slack, core, monkeypatch
):
    answer_with(
        monkeypatch,
        core,
        {
            "form": Reply(text="usage", form=Form(title="T", command="x", fields=[FormField("a", "A")])),
            "file": Reply(text="file", attachments=[Attachment("a.csv", b"a\n")]),
        },
    )
    await slack.command("profile")
    await slack.command("form")
    await slack.command("file")
    await slack.event(
        {"type": "app_mention", "user": BOB, "text": f"<@{BOT_USER}> profile", "channel": GENERAL, "ts": "1.1"}
    )
    await slack.event(message_event("help", channel="D0ALICE", channel_type="im"))
    await slack.handled(5)
    await core.transports["slack"].send_group([ALICE, BOB], Reply(text="hello"))
    scopes = set(MANIFESTS["socket"]["oauth_config"]["scopes"]["bot"])
    called = {call.method for call in fake_slack.calls} - {"response_url", "upload"}
    unknown = called - set(METHOD_SCOPES)
    assert not unknown, f"add the scope of {unknown} to METHOD_SCOPES and to the manifests"
    assert {METHOD_SCOPES[method] for method in called} - {None} <= scopes
    assert {"im:write", "mpim:write"} <= scopes  # conversations.open with one user, and with several


def test_a_bot_token_alone_names_the_missing_setting(tmp_path):
    settings = load_settings(
        _env_file=None, slack_bot_token="xoxb-1", database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    )
    with pytest.raises(SettingsError, match="LIGHTHOUSE_SLACK_SIGNING_SECRET"):
        SlackAdapter(Lighthouse(settings))


def test_starting_with_a_bot_token_alone_fails_with_one_line(tmp_path):
    env = {
        **os.environ,
        "LIGHTHOUSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
        "LIGHTHOUSE_INGEST_DEMO_ON_EMPTY": "false",
        "LIGHTHOUSE_SLACK_BOT_TOKEN": "xoxb-1",
    }
    for name in ("LIGHTHOUSE_SLACK_APP_TOKEN", "LIGHTHOUSE_SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "main.py"], input="", cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "LIGHTHOUSE_SLACK_SIGNING_SECRET" in result.stderr and "Traceback" not in result.stderr


def test_the_slash_command_setting_must_look_like_a_slash_command():
    with pytest.raises(SettingsError, match="LIGHTHOUSE_SLACK_COMMAND"):
        load_settings(_env_file=None, slack_command="lighthouse")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_runner_serves_the_events_api_when_a_signing_secret_is_set(settings, fake_slack, monkeypatch):
    import adapters.runner
    import knowledge.embeddings
    from tests.knowledge_fakes import FakeEncoder

    loaded: Future = Future()
    loaded.set_result(FakeEncoder())  # the runner starts loading the model: a fake here, not torch
    monkeypatch.setattr(adapters.runner, "load_in_background", lambda name: loaded)
    monkeypatch.setattr(knowledge.embeddings, "load_in_background", lambda name: loaded)
    settings.slack.bot_token = SecretStr("xoxb-test-token")
    settings.slack.signing_secret = SecretStr("secret")
    settings.slack.api_url = fake_slack.api_url
    settings.slack.port = free_port()
    running = asyncio.create_task(run_bot(settings))
    url = f"http://127.0.0.1:{settings.slack.port}"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as session:
            for _ in range(200):  # until the server is up
                with suppress(aiohttp.ClientConnectionError):
                    async with session.get(f"{url}/healthz") as response:
                        assert (await response.json())["status"] == "ok"
                        break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the Events API endpoint never came up")
            async with session.post(f"{url}/slack/events", data=b"{}") as response:
                assert response.status == 401  # unsigned
            for _ in range(200):  # the fake model and the (empty) index are ready almost at once
                async with session.get(f"{url}/readyz") as response:
                    if response.status == 200:
                        break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("never ready")
    finally:
        running.cancel()
        with suppress(asyncio.CancelledError):
            await running


async def test_slacks_url_verification_is_answered_when_signed(slack):
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    sent = await slack.send(body.encode(), "application/json")
    assert sent.status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in sent.text


async def test_old_delivery_receipts_are_purged_and_other_platforms_are_left_alone(core, clock):
    def claim_delivery(db, key, now):
        return core.deliveries.claim(key, now)

    def event_key(event_id):
        return receipt_key("slack", "event", event_id)

    def purge_receipts(db, now):
        return core.deliveries.purge("slack", now, KEEP_RECEIPTS)

    assert await claim_delivery(core.db, event_key("EvOLD"), clock.now())
    assert await claim_delivery(core.db, "discord:interaction:1", clock.now())
    clock.advance(timedelta(days=2))
    assert await claim_delivery(core.db, event_key("EvNEW"), clock.now())
    assert not await claim_delivery(core.db, event_key("EvNEW"), clock.now())
    assert await purge_receipts(core.db, clock.now()) == 1
    async with core.db.session() as session:
        keys = set((await session.execute(select(DeliveryReceipt.key))).scalars())
    assert keys == {"discord:interaction:1", "slack:event:EvNEW"}
