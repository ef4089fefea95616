"""Every feature the bot offers, listed once: the core is built with these unless it is given others.

A new feature package adds one line here; nothing else in the core names it."""

from __future__ import annotations

from bot.app import help as help_command
from bot.app import more, quit
from bot.community import commands as community_commands
from bot.digests import commands as digest_commands
from bot.events import commands as event_commands
from bot.feature import Catalogue, Feature
from bot.indicators import commands as indicator_commands
from bot.intros import commands as intro_commands
from bot.members import commands as member_commands
from bot.privacy import commands as privacy_commands
from bot.search import commands as search_commands

ALL_FEATURES: tuple[Feature, ...] = (
    search_commands.FEATURE, member_commands.FEATURE, intro_commands.FEATURE, event_commands.FEATURE,
    digest_commands.FEATURE, indicator_commands.FEATURE, privacy_commands.FEATURE, community_commands.FEATURE,
    help_command.FEATURE, more.FEATURE, quit.FEATURE,
)


def full_catalogue() -> Catalogue:
    """What all the features declare, checked together (what a core built without a list of features offers)."""
    return Catalogue.of(ALL_FEATURES)
