"""What the core receives: a platform-neutral message from an adapter."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Author:
    platform: str  # "console", "slack", "discord"
    user_id: str
    display_name: str
    timezone: str | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class Message:
    author: Author
    text: str
    channel_id: str = "direct"
    thread_id: str | None = None
    guild_id: str | None = None
    message_id: str | None = None
    is_direct: bool = False
    # The author of the post this message answers (a thread reply or a reply), for exchange logging.
    reply_to: Author | None = None
    # Mention tokens in `text` (e.g. "<@U123>") mapped to the users they name.
    mentions: dict[str, Author] = field(default_factory=dict)
    # True when the message came from a button press rather than typed text.
    from_button: bool = False

    @property
    def platform(self) -> str:
        return self.author.platform
