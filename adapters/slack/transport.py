"""Posting to Slack: channel and thread posts, ephemeral answers, direct and group messages, file uploads.

`SlackTransport` is the core's `Transport` for Slack (DMs, reminders, digests the bot sends on its own) and
the adapter's way of answering. It declares what Slack can do with an answer (`SLACK_CAPABILITIES`, for the
delivery policy) and what one Slack message holds (`SLACK_PAGES`: blocks, as `plan_pages` counts them); the
core pages every answer by it, and every message sent unasked on the way out (an answer already paged comes
back as it is).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.delivery_policy import Capabilities, Entry
from adapters.slack.render import MAX_BUTTON_VALUE, normalise, plan_pages, render
from bot.pagination import PageBudget
from bot.reply import Attachment, Reply

if TYPE_CHECKING:
    from bot.app.core import Lighthouse

log = logging.getLogger(__name__)

PLATFORM = "slack"
SLACK_PAGES = PageBudget(prepare=normalise, split=plan_pages)
# Modals open from a slash command or a click (they need its trigger); an answer can be shown to the asker
# alone anywhere but in a direct conversation, where everything is theirs anyway.
SLACK_CAPABILITIES = Capabilities(
    entries=frozenset(Entry),
    modals=frozenset({Entry.COMMAND, Entry.BUTTON}),
    ephemeral=frozenset({Entry.COMMAND, Entry.BUTTON, Entry.FORM, Entry.MENTION}),
    direct_messages=True,
    threads=True,
    page_budget=SLACK_PAGES,
    button_command_chars=MAX_BUTTON_VALUE,
    private_files=False,  # an ephemeral message carries no file
)


class SlackTransport:
    platform = PLATFORM
    # `send_direct` returns None exactly when Slack refused the message (bot/transport.py).
    NO_REFERENCE_MEANS_UNREACHABLE = True
    capabilities = SLACK_CAPABILITIES
    page_budget = SLACK_CAPABILITIES.page_budget

    def __init__(self, client: AsyncWebClient, core: Lighthouse) -> None:
        self.client = client
        self.core = core

    # --- the core's Transport --------------------------------------------------------------------------
    async def send_direct(self, user_id: str, reply: Reply) -> str | None:
        """DM a user; None (and one log line) when Slack will not let the bot reach them."""
        try:
            channel = await self.open_conversation([user_id])
            return await self.post(channel, reply, user_id=user_id) or channel
        except SlackApiError as exc:
            # cannot_dm_bot, user_not_found, user_disabled, not_allowed_token_type, a rate limit that outlasted
            # the retries...: a normal condition, not a crash.
            log.warning("cannot send a direct message to slack user %s: %s", user_id, slack_error(exc))
            return None

    async def send_channel(self, channel_id: str, reply: Reply, thread_id: str | None = None) -> str | None:
        return await self.post(channel_id, reply, thread_ts=thread_id)

    async def send_group(self, user_ids: list[str], reply: Reply) -> str | None:
        """A group DM with everyone in it; None (and one log line) when Slack refuses it."""
        try:
            channel = await self.open_conversation(user_ids)
            return await self.post(channel, reply) or channel
        except SlackApiError as exc:
            log.warning("cannot open a group conversation with slack users %s: %s", ", ".join(user_ids),
                        slack_error(exc))
            return None

    async def start_thread(self, channel_id: str, reply: Reply) -> str | None:
        """Post `reply` in a channel as the start of a thread; returns the thread's id (the message's ts)."""
        reference = await self.post(channel_id, reply)
        return reference.rpartition(":")[2] if reference else None

    # --- building blocks ---------------------------------------------------------------------------------
    async def fit(self, reply: Reply, *, user_id: str | None = None) -> Reply:
        """The reply as one message's worth, paged by the core; the rest is stored for the "More" button."""
        owner = (PLATFORM, user_id) if user_id is not None else None
        now = self.core.clock.now()
        return await self.core.paginator.paginate(reply, budget=self.page_budget, owner=owner, now=now)

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

    async def send_files_direct(self, user_id: str, attachments: list[Attachment]) -> bool:
        """Upload files into the person's direct messages; False (and one log line) when Slack refuses."""
        if not attachments:
            return True
        try:
            await self.upload(await self.open_conversation([user_id]), attachments)
        except SlackApiError as exc:
            log.warning("cannot send files to slack user %s directly: %s", user_id, slack_error(exc))
            return False
        return True


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code (`cannot_dm_bot`), with the HTTP status when it is a rate limit."""
    response = exc.response
    error = response.get("error") if hasattr(response, "get") else None
    status = getattr(response, "status_code", None)
    return f"{error or 'error'} (HTTP {status})" if status == 429 else str(error or exc)


def without_files(reply: Reply) -> Reply:
    return replace(reply, attachments=[])
