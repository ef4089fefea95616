"""How the core sends messages it was not asked for (DMs, reminders, digests): adapters implement this."""

from __future__ import annotations

from typing import Protocol

from bot.pagination import PageBudget
from bot.reply import Reply


class Transport(Protocol):
    platform: str
    # What one message holds on this platform: the core pages answers by it (a transport without one, like
    # a test's recorder, has no limit of its own).
    page_budget: PageBudget

    async def send_direct(self, user_id: str, reply: Reply) -> str | None:
        """Send a direct message; returns a platform message reference when there is one. A transport whose
        class sets `NO_REFERENCE_MEANS_UNREACHABLE = True` returns None only when the platform would not let
        the bot reach the user (closed direct messages, a deleted account): the message did not go."""

    async def send_channel(self, channel_id: str, reply: Reply, thread_id: str | None = None) -> str | None:
        """Post into a channel (or a thread of it)."""

    async def send_group(self, user_ids: list[str], reply: Reply) -> str | None:
        """Start a conversation with several users (a group DM, or a private thread)."""
