"""Discord users and places as the core knows them: `Author`s and channel/thread ids."""

from __future__ import annotations

import re

import discord

from bot.message import Author

PLATFORM = "discord"


def author_from_user(user: discord.abc.User) -> Author:
    # The server nickname when there is one (what people see), else the global display name.
    return Author(platform=PLATFORM, user_id=str(user.id), display_name=user.display_name, is_bot=user.bot)


def author_from_id(user_id: int) -> Author:
    """Someone known only by id (a thread owner not in the cache); the core keeps any name it already has."""
    return Author(platform=PLATFORM, user_id=str(user_id), display_name="")


def channel_and_thread(channel: object, fallback_id: int | None) -> tuple[str, str | None]:
    """(channel id, thread id): a thread is recorded under its parent channel, as on Slack."""
    if isinstance(channel, discord.Thread) and channel.parent_id:
        return str(channel.parent_id), str(channel.id)
    channel_id = getattr(channel, "id", None) or fallback_id
    return (str(channel_id) if channel_id else "direct"), None


def mention_tokens(users: list[discord.abc.User], *, skip: int | None) -> dict[str, Author]:
    """Both spellings of each user's mention token, so the core can resolve `<@id>` or `<@!id>` as typed."""
    tokens: dict[str, Author] = {}
    for user in users:
        if user.id == skip:
            continue
        author = author_from_user(user)
        tokens[f"<@{user.id}>"] = author
        tokens[f"<@!{user.id}>"] = author
    return tokens


_ROLE_OR_CHANNEL = re.compile(r"<(@&|#)(\d{1,20})>")


def readable_mentions(text: str, guild: discord.Guild | None) -> str:
    """Role and channel mentions as their names (`@Moderators`, `#general`), the way people read them, so
    that text the bot echoes stays readable; a name is plain text and pings nobody."""

    def name(match: re.Match[str]) -> str:
        kind, number = match.group(1), int(match.group(2))
        if kind == "@&":
            role = guild.get_role(number) if guild is not None else None
            return f"@{role.name.removeprefix('@')}" if role is not None else "@unknown-role"
        channel = guild.get_channel_or_thread(number) if guild is not None else None
        return f"#{channel.name}" if channel is not None else "#unknown-channel"

    return _ROLE_OR_CHANNEL.sub(name, text)
