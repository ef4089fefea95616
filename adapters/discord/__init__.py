"""Discord adapter (discord.py 2.x): slash commands, mentions and DMs in; embeds and persistent buttons out."""

from adapters.discord.client import DiscordAdapter, sync_commands

__all__ = ["DiscordAdapter", "sync_commands"]
