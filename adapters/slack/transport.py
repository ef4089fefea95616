"""Posting to Slack: channel and thread posts, ephemeral answers, direct and group messages, file uploads.

`SlackTransport` is the core's `Transport` for Slack (DMs, reminders, digests the bot sends on its own) and
the adapter's way of answering. Every reply is fitted to Slack's limits first: a reply too big for one
message keeps its first page and stores the rest with the core's paginator behind a "More" button.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import normalise, plan_pages, render
from bot.reply import Attachment, Reply
from storage.lookups import find_by_identity

if TYPE_CHECKING:
    from bot.app.core import Lighthouse

log = logging.getLogger(__name__)

PLATFORM = "slack"


class SlackTransport:
    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, core: Lighthouse) -> None:
        self.client = client
        self.core = core

    # --- the core's Transport --------------------------------------------------------------------------
    async def send_direct(self, user_id: str, reply: Reply) -> str | None:
        channel = await self.open_conversation([user_id])
        return await self.post(channel, reply, user_id=user_id)

    async def send_channel(self, channel_id: str, reply: Reply, thread_id: str | None = None) -> str | None:
        return await self.post(channel_id, reply, thread_ts=thread_id)

    async def send_group(self, user_ids: list[str], reply: Reply) -> str | None:
        channel = await self.open_conversation(user_ids)
        return await self.post(channel, reply)

    # --- building blocks ---------------------------------------------------------------------------------
    async def fit(self, reply: Reply, *, user_id: str | None = None) -> Reply:
        """The reply as one message's worth; what does not fit is stored for the "More" button."""
        normalised = normalise(reply)
        pages = plan_pages(normalised)
        if len(pages) <= 1:
            return normalised
        member_id = await self._member_id(user_id)
        return await self.core.paginator.store(normalised, pages, member_id=member_id, now=self.core.clock.now())

    async def post(
        self, channel: str, reply: Reply, *, thread_ts: str | None = None, user_id: str | None = None
    ) -> str | None:
        """chat.postMessage (plus the reply's files); returns "channel:ts"."""
        message = render(await self.fit(reply, user_id=user_id))
        reference = None
        if message.blocks:
            response = await self.client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            )
            channel = response.get("channel") or channel
            reference = f"{channel}:{response.get('ts')}"
        await self.upload(channel, reply.attachments, thread_ts=thread_ts)
        return reference

    async def post_ephemeral(self, channel: str, user_id: str, reply: Reply, *, thread_ts: str | None = None) -> None:
        message = render(await self.fit(reply, user_id=user_id))
        if message.blocks:
            await self.client.chat_postEphemeral(
                channel=channel, user=user_id, text=message.text, blocks=message.blocks, thread_ts=thread_ts
            )

    async def open_conversation(self, user_ids: list[str]) -> str:
        """The DM with one user, or a group DM with several (the bot is always a member)."""
        response = await self.client.conversations_open(users=",".join(user_ids))
        return response["channel"]["id"]

    async def upload(self, channel: str, attachments: list[Attachment], *, thread_ts: str | None = None) -> None:
        for attachment in attachments:
            await self.client.files_upload_v2(
                channel=channel,
                file=attachment.content,
                filename=attachment.filename,
                title=attachment.filename,
                thread_ts=thread_ts,
            )

    async def send_files_direct(self, user_id: str, attachments: list[Attachment]) -> None:
        if attachments:
            await self.upload(await self.open_conversation([user_id]), attachments)

    async def _member_id(self, user_id: str | None) -> int | None:
        if user_id is None:
            return None
        async with self.core.db.session() as session:
            member = await find_by_identity(session, PLATFORM, user_id)
            return member.id if member is not None else None


def without_files(reply: Reply) -> Reply:
    return replace(reply, attachments=[])
