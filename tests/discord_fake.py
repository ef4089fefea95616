"""A local stand-in for Discord, for tests: a REST API on 127.0.0.1 that records every call and answers the
way Discord does, and gateway payloads (interactions, messages, a server) fed to discord.py's own parser.

discord.py does all the real work: it builds Interaction and Message objects from these payloads, matches
custom_ids, runs the command tree, and serialises every answer into the HTTP requests recorded here.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 910000000000000001
APP_ID = 910000000000000002
GUILD_ID = 920000000000000001
CHANNEL_ID = 930000000000000001
INTRO_CHANNEL_ID = 930000000000000002
THREAD_ID = 930000000000000003
BOT_ROLE_ID = 940000000000000001
TIMESTAMP = "2026-11-02T09:00:00+00:00"
EPHEMERAL = 1 << 6


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "global_name": name, "discriminator": "0", "avatar": None, "bot": bot}


BOT_USER = user(BOT_ID, "Lighthouse", bot=True)


def member(user_payload: dict[str, Any], roles: list[int] | None = None) -> dict[str, Any]:
    return {
        "user": user_payload,
        "nick": None,
        "roles": [str(r) for r in roles or []],
        "joined_at": TIMESTAMP,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": "2248473465835073",
    }


def text_channel(channel_id: int = CHANNEL_ID, name: str = "general") -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def thread_channel(thread_id: int, owner_id: int, *, parent_id: int = CHANNEL_ID, private: bool = False,
                   name: str = "a thread") -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "type": 12 if private else 11,
        "guild_id": str(GUILD_ID),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": TIMESTAMP,
            "locked": False,
            "invitable": False,
        },
    }


def guild() -> dict[str, Any]:
    """A server as GUILD_CREATE delivers it: channels, threads, the @everyone role and the bot's role."""
    return {
        "id": str(GUILD_ID),
        "name": "Partnership",
        "owner_id": "1",
        "unavailable": False,
        "member_count": 3,
        "features": [],
        "emojis": [],
        "stickers": [],
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "premium_tier": 0,
        "system_channel_flags": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "roles": [
            {"id": str(GUILD_ID), "name": "@everyone", "permissions": "0", "position": 0, "color": 0,
             "hoist": False, "managed": False, "mentionable": False, "flags": 0},
            {"id": str(BOT_ROLE_ID), "name": "Lighthouse", "permissions": "0", "position": 1, "color": 0,
             "hoist": False, "managed": True, "mentionable": False, "flags": 0, "tags": {"bot_id": str(BOT_ID)}},
        ],
        "channels": [text_channel(), text_channel(INTRO_CHANNEL_ID, "introductions")],
        "threads": [],
        "members": [member(BOT_USER, roles=[BOT_ROLE_ID])],
        "voice_states": [],
        "presences": [],
    }


_ids = itertools.count(1)


def _interaction(kind: int, user_payload: dict[str, Any], data: dict[str, Any] | None, *, in_guild: bool = True,
                 channel: dict[str, Any] | None = None, message: dict[str, Any] | None = None,
                 interaction_id: int | None = None) -> dict[str, Any]:
    interaction_id = interaction_id or 950000000000000000 + next(_ids)
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(APP_ID),
        "type": kind,
        "token": f"token-{interaction_id}",
        "version": 1,
        "locale": "en-US",
        "app_permissions": "0",
        "attachment_size_limit": 10 * 1024 * 1024,
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)} if in_guild else {"1": user_payload["id"]},
        "context": 0 if in_guild else 1,
    }
    if data is not None:
        payload["data"] = data
    if in_guild:
        payload["guild_id"] = str(GUILD_ID)
        payload["guild_locale"] = "en-US"
        payload["member"] = member(user_payload)
        payload["channel"] = channel or text_channel()
    else:
        payload["user"] = user_payload
        payload["channel"] = channel or {"id": str(dm_channel_id(int(user_payload["id"]))), "type": 1,
                                         "recipients": [user_payload]}
    payload["channel_id"] = payload["channel"]["id"]
    if message is not None:
        payload["message"] = message
    return payload


def slash(user_payload: dict[str, Any], subcommand: str, options: dict[str, Any] | None = None, *,
          resolved_users: list[dict[str, Any]] | None = None, focused: str | None = None,
          **where: Any) -> dict[str, Any]:
    """`/lighthouse <subcommand> option:value ...` as Discord delivers it (or its autocomplete, with focused)."""
    option_types = {bool: 5, int: 4}
    sub_options = []
    for name, value in (options or {}).items():
        kind = 6 if name in {"member"} else option_types.get(type(value), 3)
        option: dict[str, Any] = {"name": name, "type": kind, "value": value}
        if name == focused:
            option["focused"] = True
        sub_options.append(option)
    data: dict[str, Any] = {
        "id": "960000000000000001",
        "name": "lighthouse",
        "type": 1,
        "options": [{"name": subcommand, "type": 1, "options": sub_options}],
    }
    if resolved_users:
        data["resolved"] = {
            "users": {u["id"]: u for u in resolved_users},
            "members": {u["id"]: {k: v for k, v in member(u).items() if k != "user"} for u in resolved_users},
        }
    return _interaction(4 if focused else 2, user_payload, data, **where)


def click(user_payload: dict[str, Any], message: dict[str, Any], custom_id: str, **where: Any) -> dict[str, Any]:
    """A press of the button `custom_id` on `message` (a message payload as Discord returned it)."""
    data = {"custom_id": custom_id, "component_type": 2}
    return _interaction(3, user_payload, data, message=message, **where)


def modal_submit(user_payload: dict[str, Any], custom_id: str, values: dict[str, str], **where: Any) -> dict[str, Any]:
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": name, "value": value}]}
            for name, value in values.items()]
    return _interaction(5, user_payload, {"custom_id": custom_id, "components": rows}, **where)


def message_create(author: dict[str, Any], content: str, *, channel_id: int = CHANNEL_ID, in_guild: bool = True,
                   mentions: list[dict[str, Any]] | None = None, referenced: dict[str, Any] | None = None,
                   message_id: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(message_id or 970000000000000000 + next(_ids)),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": list(mentions or []),
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 19 if referenced else 0,
        "flags": 0,
        "components": [],
    }
    if in_guild:
        payload["guild_id"] = str(GUILD_ID)
        payload["member"] = {k: v for k, v in member(author).items() if k != "user"}
    if referenced is not None:
        payload["message_reference"] = {"message_id": referenced["id"], "channel_id": referenced["channel_id"],
                                        "guild_id": str(GUILD_ID), "type": 0}
        payload["referenced_message"] = referenced
    return payload


def dm_channel_id(user_id: int) -> int:
    return 980000000000000000 + user_id % 10**12


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py reads a body as JSON only when the content type is exactly this (no charset).
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any] | None
    query: dict[str, str]
    files: list[str] = field(default_factory=list)

    @property
    def message(self) -> dict[str, Any]:
        """The message this call posts (an interaction callback's `data`, or the body itself)."""
        body = self.body or {}
        return body.get("data") or {} if "/callback" in self.path else body


@dataclass
class Failure:
    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    times: int


class FakeDiscord:
    """Discord's REST API on 127.0.0.1, recording calls. `fail(...)` makes matching calls answer an error."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, dict[str, Any]] = {}  # id -> message payload as returned
        self.failures: list[Failure] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/v10"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(self, method: str, path: str, status: int, message: str = "refused", *, code: int = 50001,
             times: int = 1) -> None:
        self.failures.append(Failure(method, re.compile(path), status, {"message": message, "code": code}, times))

    # --- what tests look at -----------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Until `predicate()` holds after some call; the timeout only stops a broken test hanging."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    def find(self, method: str, path: str) -> list[Call]:
        pattern = re.compile(path)
        return [c for c in self.calls if c.method == method and pattern.fullmatch(c.path)]

    def last_message(self) -> dict[str, Any]:
        """The payload of the newest message, as Discord returned it (what a later click refers to)."""
        return list(self.messages.values())[-1]

    def callbacks(self) -> list[Call]:
        return self.find("POST", r"/interactions/\d+/[^/]+/callback")

    def posted(self) -> list[dict[str, Any]]:
        """Every message the bot posted or filled in, in order (bodies as sent)."""
        result = []
        for call in self.calls:
            if call.method == "POST" and re.fullmatch(r"/interactions/\d+/[^/]+/callback", call.path):
                if (call.body or {}).get("type") in (4, 7):
                    result.append(call.message)
            elif call.method == "POST" and re.fullmatch(r"/(channels/\d+/messages|webhooks/\d+/[^/]+)", call.path):
                result.append(call.body or {})
            elif call.method == "PATCH" and call.path.endswith("/messages/@original"):
                result.append(call.body or {})
        return result

    # --- the API ------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await self._body(request)
        self.calls.append(Call(request.method, path, body, dict(request.query), files))
        async with self._changed:
            self._changed.notify_all()
        for failure in self.failures:
            if failure.times and failure.method == request.method and failure.path.fullmatch(path):
                failure.times -= 1
                return _json(failure.body, status=failure.status)
        return self._answer(request.method, path, body or {})

    async def _body(self, request: web.Request) -> tuple[dict[str, Any] | None, list[str]]:
        if request.content_type == "application/json":
            return await request.json(), []
        if request.content_type.startswith("multipart/"):
            body, files = None, []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    files.append(part.filename or "")
                    await part.read()
            return body, files
        return None, []

    def _answer(self, method: str, path: str, body: dict[str, Any]) -> web.StreamResponse:
        if method == "GET" and path == "/users/@me":
            return _json(BOT_USER)
        if method == "GET" and path == "/oauth2/applications/@me":
            return _json({
                "id": str(APP_ID), "name": "Lighthouse", "icon": None, "description": "", "bot_public": True,
                "bot_require_code_grant": False, "owner": user(1, "owner"), "verify_key": "0" * 64, "flags": 0,
            })
        if match := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return _json(self._callback(int(match[1]), body))
        if match := re.fullmatch(r"/webhooks/\d+/([^/]+)/messages/@original", path):
            if method == "DELETE":
                return web.Response(status=204)
            return _json(self._message(CHANNEL_ID, body))
        if re.fullmatch(r"/webhooks/\d+/[^/]+", path) and method == "POST":
            return _json(self._message(CHANNEL_ID, body))
        if method == "POST" and path == "/users/@me/channels":
            recipient = int(body["recipient_id"])
            return _json({"id": str(dm_channel_id(recipient)), "type": 1,
                                      "recipients": [user(recipient, f"user{recipient}")]})
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            return _json(self._message(int(match[1]), body))
        if match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path):
            # A thread opened on a message has the message's id.
            return _json(thread_channel(int(match[2]), BOT_ID, parent_id=int(match[1]), name=body.get("name", "thread")))
        if match := re.fullmatch(r"/channels/(\d+)/threads", path):
            thread_id = 990000000000000000 + next(self._ids)
            return _json(thread_channel(thread_id, BOT_ID, parent_id=int(match[1]), private=True,
                                                    name=body.get("name", "thread")))
        if re.fullmatch(r"/channels/\d+/thread-members/\d+", path):
            return web.Response(status=204)
        if match := re.fullmatch(r"/channels/(\d+)", path):
            return _json(text_channel(int(match[1]), "introductions"))
        if re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path) and method == "PUT":
            return _json([
                {**command, "id": str(960000000000000001 + index), "application_id": str(APP_ID), "version": "1",
                 "default_member_permissions": None, "dm_permission": True, "nsfw": False}
                for index, command in enumerate(body if isinstance(body, list) else [])
            ])
        return _json({"message": f"fake Discord has no {method} {path}", "code": 0}, status=404)

    def _callback(self, interaction_id: int, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        data = body.get("data") or {}
        result: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(data.get("flags", 0) & EPHEMERAL),
            },
        }
        if kind in (4, 5, 7):
            message = self._message(CHANNEL_ID, data)
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": kind, "message": message}
        return result

    def _message(self, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        message_id = str(985000000000000000 + next(self._ids))
        message = {
            "id": message_id,
            "channel_id": str(channel_id),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            "components": body.get("components") or [],
        }
        self.messages[message_id] = message
        return message


class Harness:
    """A DiscordAdapter logged in to the fake API, fed gateway payloads through discord.py's parser."""

    def __init__(self, core: Any, fake: FakeDiscord, *, defer_after: float = 30.0) -> None:
        from adapters.discord import DiscordAdapter

        self.core = core
        self.fake = fake
        self.adapter = DiscordAdapter(core, defer_after=defer_after)
        self.expected = 0

    @property
    def state(self) -> Any:
        return self.adapter.client._connection

    async def start(self, *, with_guild: bool = True) -> Harness:
        await self.adapter.login()
        if with_guild:
            self.state._add_guild_from_data(guild())
        return self

    def dispatch_interaction(self, payload: dict[str, Any]) -> None:
        """Hand an interaction to discord.py without waiting (for tests that watch it mid-way)."""
        self.expected += 1
        self.state.parse_interaction_create(payload)

    async def interaction(self, payload: dict[str, Any]) -> None:
        self.dispatch_interaction(payload)
        await self.settle()

    async def message(self, payload: dict[str, Any]) -> None:
        self.expected += 1
        self.state.parse_message_create(payload)
        await self.settle()

    async def settle(self) -> None:
        """Until the adapter has finished every event handed to it (the timeout only stops a hang)."""
        await asyncio.wait_for(self.adapter.in_flight.wait_finished(self.expected), 10.0)

    async def close(self) -> None:
        await self.adapter.stop()
