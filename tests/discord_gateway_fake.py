"""The fake Discord API (tests/discord_fake.py) plus a gateway: a websocket on 127.0.0.1 that says hello,
answers IDENTIFY with READY, acknowledges heartbeats, dispatches events the test gives it, and records the
close code each connection ends with. For tests that run the bot as a separate process (`python main.py`).

`callback_delay` holds every interaction callback that long before answering, so that a test can stop
the bot while an interaction is being answered.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from typing import Any

from aiohttp import WSMsgType, web

from tests.discord_fake import APP_ID, BOT_USER, FakeDiscord, _json

CALLBACK = re.compile(r"/interactions/\d+/[^/]+/callback")


class FakeDiscordGateway(FakeDiscord):
    def __init__(self, *, shards: int = 1) -> None:
        super().__init__()
        self.shards = shards
        self.callback_delay = 0.0
        self.callbacks_started = 0
        self.callbacks_answered = 0
        self.identified: list[int] = []  # shard ids, in the order they identified
        self.close_codes: list[int | None] = []  # one per gateway connection that ended
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = itertools.count(1)
        self.gateway_url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/v10"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"
        return self.url

    async def close(self) -> None:
        for socket in self._sockets:
            await socket.close()
        await super().close()

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event (INTERACTION_CREATE, MESSAGE_CREATE …) on the first open connection."""
        socket = next(s for s in self._sockets if not s.closed)
        await socket.send_str(json.dumps({"op": 0, "s": next(self._seq), "t": event, "d": data}))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        if request.method == "GET" and path in ("/gateway", "/gateway/bot"):
            return _json({
                "url": self.gateway_url,
                "shards": self.shards,
                "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
            })
        if not CALLBACK.fullmatch(path) or not self.callback_delay:
            return await super()._handle(request)
        self.callbacks_started += 1
        await self._notify()
        await asyncio.sleep(self.callback_delay)
        response = await super()._handle(request)
        self.callbacks_answered += 1
        await self._notify()
        return response

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(json.dumps({"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": 45000}}))
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            if payload.get("op") == 1:  # heartbeat
                await socket.send_str(json.dumps({"op": 11, "s": None, "t": None, "d": None}))
            elif payload.get("op") == 2:  # identify
                shard = (payload["d"].get("shard") or [0, 1])
                ready = {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [],
                    "session_id": f"session-{shard[0]}",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": str(APP_ID), "flags": 0},
                    "shard": shard,
                }
                await socket.send_str(json.dumps({"op": 0, "s": next(self._seq), "t": "READY", "d": ready}))
                self.identified.append(shard[0])
                await self._notify()
        self.close_codes.append(socket.close_code)
        await self._notify()
        return socket
