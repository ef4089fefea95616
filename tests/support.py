"""Test helpers shared by every test module: a scripted chat and a transport that records what is sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.app.catalogue import ALL_FEATURES
from bot.app.core import Lighthouse
from bot.commands import Command
from bot.feature import Feature
from bot.message import Author, Message
from bot.reply import Reply


def with_commands(*commands: Command, features: Iterable[Feature] = ALL_FEATURES) -> tuple[Feature, ...]:
    """The features with each of `commands` in place of the declared command of its name; a command no feature
    declares comes in a test feature of its own."""
    replacing = {command.name: command for command in commands}
    changed = []
    for feature in features:
        if any(declared.name in replacing for declared in feature.commands):
            mine = [replacing.pop(declared.name, declared) for declared in feature.commands]
            feature = replace(feature, commands=mine)
        changed.append(feature)
    if replacing:
        changed.append(Feature("tests", commands=list(replacing.values())))
    return tuple(changed)


@dataclass
class Sent:
    kind: str  # direct, channel, group
    target: str
    reply: Reply


@dataclass
class RecordingTransport:
    platform: str = "console"
    sent: list[Sent] = field(default_factory=list)

    async def send_direct(self, user_id: str, reply: Reply) -> str | None:
        self.sent.append(Sent("direct", user_id, reply))
        return f"dm-{len(self.sent)}"

    async def send_channel(self, channel_id: str, reply: Reply, thread_id: str | None = None) -> str | None:
        self.sent.append(Sent("channel", channel_id, reply))
        return f"msg-{len(self.sent)}"

    async def send_group(self, user_ids: list[str], reply: Reply) -> str | None:
        self.sent.append(Sent("group", ",".join(user_ids), reply))
        return f"group-{len(self.sent)}"

    def to(self, target: str) -> list[Reply]:
        return [s.reply for s in self.sent if s.target == target]


class Chat:
    """Talk to a core as named console members: `await chat.say("help", as_user="alice")`."""

    def __init__(self, core: Lighthouse, platform: str = "console") -> None:
        self.core = core
        self.platform = platform

    def author(self, name: str) -> Author:
        return Author(platform=self.platform, user_id=name, display_name=name)

    async def say(self, text: str, *, as_user: str = "alice", channel: str = "console", **extra: object) -> Reply:
        message = Message(author=self.author(as_user), text=text, channel_id=channel, is_direct=True, **extra)
        return await self.core.handle(message)

    async def text(self, text: str, *, as_user: str = "alice") -> str:
        return (await self.say(text, as_user=as_user)).plain_text()
