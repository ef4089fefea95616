"""Each chat platform's settings, a validated section of `Settings` (`settings.slack`, `settings.discord`,
`settings.console`). Their environment variables keep the platform in their name: LIGHTHOUSE_SLACK_BOT_TOKEN
is `settings.slack.bot_token` (config/settings.py maps one to the other)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import NoDecode


def split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def empty_is_unset(value: object) -> object:
    # `LIGHTHOUSE_SLACK_BOT_TOKEN=` (as in .env.example) means "no Slack", not an empty token.
    if isinstance(value, str) and not value.strip():
        return None
    return value


class SlackSettings(BaseModel):
    """LIGHTHOUSE_SLACK_*: switched on by the bot token; Socket Mode with an app-level token, the HTTP
    Events API with a signing secret."""

    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)
    api_url: str | None = None
    command: str = Field(default="/lighthouse", pattern=r"^/[a-z0-9_-]{1,31}$")
    # Passive exchange logging from thread replies in Slack channels (also needs exchange_logging).
    thread_logging: bool = True

    _unset_when_empty = field_validator("bot_token", "app_token", "signing_secret", "api_url", mode="before")(
        empty_is_unset
    )

    @field_validator("bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("a Slack bot token starts with xoxb-")
        return value

    @field_validator("app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("a Slack app-level token starts with xapp-")
        return value

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None


class DiscordSettings(BaseModel):
    """LIGHTHOUSE_DISCORD_*: switched on by the token."""

    token: SecretStr | None = None
    shards: str = "auto"
    # The shards this process runs (of `shards` in all), to spread one bot over several processes.
    shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # A text channel where introductions open a private thread (Discord has no group DMs for bots).
    intro_channel_id: int | None = None
    api_url: str | None = None

    _unset_when_empty = field_validator("token", "intro_channel_id", "api_url", mode="before")(empty_is_unset)
    _shard_ids_csv = field_validator("shard_ids", mode="before")(split_csv)

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return value
        token = value.get_secret_value()
        if token.lower().startswith(("bot ", "bearer ")):
            raise ValueError("give the token alone, without the 'Bot ' prefix")
        if token.startswith(("xox", "xapp-")):
            raise ValueError("that is a Slack token; a Discord bot token comes from the Discord developer portal")
        if not token or any(char.isspace() for char in token):
            raise ValueError("a Discord bot token is one word with no spaces")
        return value

    @field_validator("shards")
    @classmethod
    def _shards(cls, value: str) -> str:
        if value != "auto" and not (value.isdigit() and int(value) >= 1):
            raise ValueError("'auto' or a positive whole number")
        return value

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids(cls, value: list[int], info: ValidationInfo) -> list[int]:
        shards = info.data.get("shards")
        if value and shards in (None, "auto"):
            raise ValueError("needs a number of shards in LIGHTHOUSE_DISCORD_SHARDS")
        if value and any(not 0 <= shard < int(shards) for shard in value):
            raise ValueError(f"shard ids run from 0 to {int(shards) - 1}")
        return value

    @property
    def enabled(self) -> bool:
        return self.token is not None


class ConsoleSettings(BaseModel):
    """LIGHTHOUSE_CONSOLE_*: the terminal chat, used when no other platform is switched on."""

    user: str = "me"
    # Where the console writes files the bot sends (calendar files, data exports); default: the current folder.
    downloads: Path | None = None

    _unset_when_empty = field_validator("downloads", mode="before")(empty_is_unset)

    @field_validator("user", mode="before")
    @classmethod
    def _user(cls, value: object) -> object:
        # `LIGHTHOUSE_CONSOLE_USER=` means "not set", as every empty setting does: the default member.
        if isinstance(value, str):
            return value.strip() or "me"
        return value

    @field_validator("downloads")
    @classmethod
    def _downloads(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_dir():
            raise ValueError(f"{value} is not a folder")
        return value


# The sections by the name their environment variables start with (after LIGHTHOUSE_).
PLATFORM_SECTIONS: dict[str, type[BaseModel]] = {
    "slack": SlackSettings,
    "discord": DiscordSettings,
    "console": ConsoleSettings,
}
