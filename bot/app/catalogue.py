"""Every command the bot offers: importing a feature's `commands` module registers its commands.

A new feature package adds one line here; nothing else in the core names it."""

from __future__ import annotations

from bot.app import help as help_command
from bot.app import more, quit
from bot.commands import Command, registered
from bot.community import commands as community_commands
from bot.digests import commands as digest_commands
from bot.events import commands as event_commands
from bot.indicators import commands as indicator_commands
from bot.intros import commands as intro_commands
from bot.members import commands as member_commands
from bot.privacy import commands as privacy_commands
from bot.search import commands as search_commands

FEATURES = (
    search_commands, member_commands, intro_commands, event_commands, digest_commands,
    indicator_commands, privacy_commands, community_commands, help_command, more, quit,
)


def load_all() -> dict[str, Command]:
    """The registry, with every feature's commands in it (they registered themselves on import above)."""
    return registered()
