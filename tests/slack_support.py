"""A local fake of the Slack Web API and a client that sends signed requests, for the Slack adapter tests.

`FakeSlack` is an aiohttp app on 127.0.0.1 (random port) that answers the Web API methods the adapter
uses the way Slack does, records every call, serves response_url and file-upload URLs, can answer 429 with
Retry-After, and speaks the Socket Mode WebSocket protocol. `SlackHarness` sends real HTTP requests to the
adapter's aiohttp app, signed like Slack signs them (v0, HMAC-SHA256 over "v0:<timestamp>:<body>").
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from adapters.slack import SlackAdapter
from bot.app.core import Lighthouse

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
BOT_USER = "UBOT"
TEAM = "T0001"
GENERAL = "C0GENERAL"
WAIT = 10.0  # seconds before a test waiting for an event fails instead of hanging

USERS = {
    "U0ALICE": {"name": "alice", "display_name": "Alice Andersen", "tz": "Europe/Copenhagen"},
    "U0BOB": {"name": "bob", "display_name": "Bob Berg", "tz": "Europe/Oslo"},
    "U0CAROL": {"name": "carol", "display_name": "", "real_name": "Carol Chen", "tz": "Asia/Singapore"},
}
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None = None


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict] = field(default_factory=lambda: {k: dict(v) for k, v in USERS.items()})
    uploads: dict[str, bytes] = field(default_factory=dict)
    # method -> Retry-After values to answer with, one 429 per value, before answering normally
    rate_limits: dict[str, list[int]] = field(default_factory=dict)
    # channels where the bot is not a member (chat.postMessage / postEphemeral answer not_in_channel)
    closed_channels: set[str] = field(default_factory=set)
    # user id -> the error conversations.open answers with when that user is among those asked for
    # (cannot_dm_bot, user_not_found, not_allowed_token_type...)
    dm_refusals: dict[str, str] = field(default_factory=dict)
    # the error conversations.open answers with for a group DM (several users), when set
    group_refusal: str | None = None
    socket_acks: list[dict] = field(default_factory=list)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.root = ""

    # --- lifecycle ---------------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{token}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.root = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for socket in self.sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.root}/api/"

    def response_url(self) -> str:
        return f"{self.root}/respond/{uuid.uuid4().hex[:10]}"

    # --- queries -----------------------------------------------------------------------------------------
    def to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def posts(self) -> list[Call]:
        """Everything a person could see: channel posts, ephemeral posts and response_url answers."""
        return [c for c in self.calls if c.method in ("chat.postMessage", "chat.postEphemeral", "response_url")]

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        async def reached() -> None:
            async with self._changed:
                await self._changed.wait_for(condition)

        await asyncio.wait_for(reached(), WAIT)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    # --- the Web API ---------------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(parse_qsl(await request.text())))
        for key in ("blocks", "view", "files"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        await self._record(Call(method, args, token))
        pending = self.rate_limits.get(method)
        if pending:
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(pending.pop(0))}
            )
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "team": "Test",
                "team_id": TEAM,
                "user": "lighthouse",
                "user_id": BOT_USER,
                "bot_id": "B0BOT",
            }
        if method == "users.info":
            user = self.users.get(args.get("user", ""))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            profile = {"display_name": user.get("display_name", ""), "real_name": user.get("real_name", "")}
            return {
                "ok": True,
                "user": {"id": args["user"], "name": user["name"], "tz": user.get("tz"), "profile": profile},
            }
        if method in ("chat.postMessage", "chat.postEphemeral"):
            if args.get("channel") in self.closed_channels:
                return {"ok": False, "error": "not_in_channel"}
            ts = f"1700000000.{next(self._ts):06d}"
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            return {"ok": True, "channel": args["channel"], "ts": ts}
        if method == "conversations.open":
            users = sorted(str(args.get("users", "")).split(","))
            refused = next((self.dm_refusals[u] for u in users if u in self.dm_refusals), None)
            if refused is None and len(users) > 1:
                refused = self.group_refusal
            if refused is not None:
                return {"ok": False, "error": refused}
            channel = (
                "D" + users[0][1:]
                if len(users) == 1
                else "G" + hashlib.sha1(",".join(users).encode()).hexdigest()[:8].upper()
            )
            return {"ok": True, "channel": {"id": channel}}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0001", **args.get("view", {})}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):04d}"
            return {"ok": True, "upload_url": f"{self.root}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = args.get("files") or []
            missing = [f["id"] for f in files if f["id"] not in self.uploads]
            if missing:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"{self.root.replace('http', 'ws')}/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        args = await request.json()
        await self._record(Call("response_url", {**args, "url_token": request.match_info["token"]}))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.uploads[request.match_info["file_id"]] = data
        await self._record(Call("upload", {"file_id": request.match_info["file_id"], "size": len(data)}))
        return web.Response(text=f"OK - {len(data)}")

    # --- Socket Mode ---------------------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}})
        async with self._changed:
            self._changed.notify_all()
        async for message in socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                async with self._changed:
                    self._changed.notify_all()
        return socket

    async def socket_send(self, envelope: dict) -> None:
        await self.sockets[-1].send_json(envelope)


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Sent:
    status: int
    text: str


class SlackHarness:
    """Sends what Slack would send to the adapter, signed, over real HTTP."""

    def __init__(self, adapter: SlackAdapter, fake: FakeSlack, url: str, session: aiohttp.ClientSession) -> None:
        self.adapter = adapter
        self.fake = fake
        self.url = url
        self.session = session
        self.sleeps: list[float] = []
        self._event_ids = itertools.count(1)

    async def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Sent:
        timestamp = int(time.time()) if timestamp is None else timestamp
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature or sign(body, timestamp),
            **(headers or {}),
        }
        async with self.session.post(self.url, data=body, headers=all_headers) as response:
            return Sent(response.status, await response.text())

    def command_body(self, text: str, **kwargs: Any) -> bytes:
        return urlencode(command_payload(self.fake, text, **kwargs)).encode()

    async def command(self, text: str, **kwargs: Any) -> Sent:
        return await self.send(self.command_body(text, **kwargs), "application/x-www-form-urlencoded")

    def event_body(self, event: dict, *, event_id: str | None = None) -> bytes:
        return json.dumps(event_payload(event, event_id=event_id or f"Ev{next(self._event_ids):06d}")).encode()

    async def event(self, event: dict, *, event_id: str | None = None, retry_num: int | None = None) -> Sent:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        return await self.send(self.event_body(event, event_id=event_id), "application/json", headers=headers)

    def click_payload(
        self,
        value: str,
        *,
        user: str = ALICE,
        channel: str = GENERAL,
        thread_ts: str | None = None,
        ephemeral: bool = False,
        action_id: str = "lh:cmd:1",
    ) -> dict:
        container = {
            "type": "message",
            "message_ts": "1700000000.000001",
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        }
        if thread_ts:
            container["thread_ts"] = thread_ts
        return {
            "type": "block_actions",
            "user": {"id": user, "username": USERS.get(user, {}).get("name", user), "team_id": TEAM},
            "api_app_id": "A0001",
            "token": "legacy",
            "container": container,
            "trigger_id": f"trigger-{uuid.uuid4().hex[:6]}",
            "team": {"id": TEAM, "domain": "test"},
            "channel": {"id": channel, "name": "general"},
            "response_url": self.fake.response_url(),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "type": "button",
                    "value": value,
                    "action_ts": "1700000001.1",
                }
            ],
        }

    async def click(self, value: str, **kwargs: Any) -> Sent:
        return await self.interact(self.click_payload(value, **kwargs))

    async def interact(self, payload: dict) -> Sent:
        return await self.send(
            urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
        )

    async def handled(self, count: int) -> None:
        """Until the adapter has finished `count` requests' work (after the acks)."""
        await asyncio.wait_for(self.adapter.wait_handled(count), WAIT)


def command_payload(
    fake: FakeSlack, text: str, *, user: str = ALICE, channel: str = GENERAL, trigger_id: str = ""
) -> dict[str, str]:
    """The form fields Slack posts for `/lighthouse <text>`."""
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user,
        "user_name": USERS.get(user, {}).get("name", user),
        "command": "/lighthouse",
        "text": text,
        "api_app_id": "A0001",
        "response_url": fake.response_url(),
        "trigger_id": trigger_id or f"trigger-{uuid.uuid4().hex[:6]}",
    }


def event_payload(event: dict, *, event_id: str) -> dict:
    """An Events API callback around `event`."""
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1700000000,
        "event": event,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def message_event(text: str, *, user: str = ALICE, channel: str = GENERAL, **extra: Any) -> dict:
    ts = extra.pop("ts", f"1700000100.{uuid.uuid4().int % 1_000_000:06d}")
    return {"type": "message", "user": user, "text": text, "channel": channel, "ts": ts, **extra}


def configure_slack(core: Lighthouse, fake: FakeSlack, *, socket_mode: bool = False) -> None:
    settings = core.settings
    settings.slack.bot_token = SecretStr(BOT_TOKEN)
    settings.slack.signing_secret = None if socket_mode else SecretStr(SIGNING_SECRET)
    settings.slack.app_token = SecretStr(APP_TOKEN) if socket_mode else None
    settings.slack.api_url = fake.api_url


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def slack(core: Lighthouse, fake_slack: FakeSlack) -> AsyncIterator[SlackHarness]:
    configure_slack(core, fake_slack)
    sleeps: list[float] = []

    async def record_sleep(seconds: float) -> None:
        sleeps.append(seconds)  # time is injected: a rate-limit wait is recorded, not slept

    adapter = SlackAdapter(core, sleep=record_sleep)
    runner = await adapter.serve("127.0.0.1", 0)
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as session:
        harness = SlackHarness(adapter, fake_slack, f"http://127.0.0.1:{port}/slack/events", session)
        harness.sleeps = sleeps
        try:
            yield harness
        finally:
            await asyncio.wait_for(adapter.in_flight.wait_idle(), WAIT)
            await runner.cleanup()
