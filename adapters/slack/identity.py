"""Slack user -> core `Author` (display name, time zone, bot or not), from users.info, cached.

Every message needs its author's name and time zone, and a busy channel would otherwise cost one users.info
call per message (Tier 4, but still a rate limit). Entries live for `ttl` of the core's clock; concurrent
look-ups of one user share one call. When Slack cannot answer, the author still gets through with the
user id (or the name Slack put in the payload) as their name. A user Slack says it cannot look up (a user of
another workspace: `user_not_found`) is not asked about again for `NOT_FOUND_TTL`, so every message of
theirs does not cost a call and a warning.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.message import Author

log = logging.getLogger(__name__)

PLATFORM = "slack"
SLACKBOT = "USLACKBOT"
NOT_FOUND_TTL = timedelta(minutes=10)


def author_from_user(user: dict) -> Author:
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user["id"]
    )
    return Author(
        platform=PLATFORM,
        user_id=user["id"],
        display_name=name.strip() or user["id"],
        timezone=user.get("tz") or None,
        is_bot=bool(user.get("is_bot")) or user["id"] == SLACKBOT,
    )


class SlackIdentities:
    def __init__(
        self, client: AsyncWebClient, clock: Clock, *, ttl: timedelta = timedelta(hours=1), max_entries: int = 10_000
    ) -> None:
        self.client = client
        self.clock = clock
        self.ttl = ttl
        self.max_entries = max_entries
        self._cache: OrderedDict[str, tuple[Author, datetime]] = OrderedDict()
        self._refused: OrderedDict[str, datetime] = OrderedDict()  # users Slack would not look up, and when
        self._pending: dict[str, asyncio.Future[Author | None]] = {}

    async def author(self, user_id: str, *, fallback_name: str | None = None) -> Author:
        cached = self._cache.get(user_id)
        now = self.clock.now()
        if cached is not None and now - cached[1] < self.ttl:
            self._cache.move_to_end(user_id)
            return cached[0]
        refused = self._refused.get(user_id)
        found = await self._lookup(user_id) if refused is None or now - refused >= NOT_FOUND_TTL else None
        if found is not None:
            return found
        if cached is not None:  # Slack did not answer: a stale name beats none
            return cached[0]
        return Author(platform=PLATFORM, user_id=user_id, display_name=fallback_name or user_id)

    async def _lookup(self, user_id: str) -> Author | None:
        pending = self._pending.get(user_id)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(user_id))
            self._pending[user_id] = pending
            pending.add_done_callback(lambda _: self._pending.pop(user_id, None))
        return await asyncio.shield(pending)

    async def _fetch(self, user_id: str) -> Author | None:
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
            self._refused[user_id] = self.clock.now()
            self._refused.move_to_end(user_id)
            while len(self._refused) > self.max_entries:
                self._refused.popitem(last=False)
            return None
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("users.info for %s failed: %s", user_id, exc.__class__.__name__)
            return None
        author = author_from_user(response["user"])
        self._cache[user_id] = (author, self.clock.now())
        self._cache.move_to_end(user_id)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return author
