"""The console adapter: chat with the bot in a terminal, or pipe one message per line into it."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from bot.core import Lighthouse
from bot.message import Author, Message
from bot.reply import Reply

PLATFORM = "console"
CHANNEL = "console"


def render(reply: Reply) -> str:
    """Plain text for a terminal: sections as blocks, buttons as the command they stand for."""
    blocks: list[str] = []
    if reply.text:
        blocks.append(reply.text)
    for section in reply.sections:
        lines: list[str] = []
        if section.title:
            lines.append(f"== {section.title} ==")
        if section.text:
            lines.append(section.text)
        lines.extend(f"  {field.label}: {field.value}" for field in section.fields)
        if section.link:
            lines.append(f"  {section.link.label}: {section.link.url}")
        if section.context:
            lines.append(f"  ({section.context})" if "\n" not in section.context else section.context)
        if section.buttons:
            lines.append("  " + "  ".join(f"[{b.label} → {b.command}]" for b in section.buttons))
        blocks.append("\n".join(lines))
    if reply.buttons:
        blocks.append("  ".join(f"[{b.label} → {b.command}]" for b in reply.buttons))
    for attachment in reply.attachments:
        blocks.append(f"[attachment {attachment.filename}, {len(attachment.content):,} bytes]")
    return "\n\n".join(block for block in blocks if block)


class ConsoleTransport:
    """Messages the bot sends on its own (DMs to other local members, channel posts) are printed."""

    platform = PLATFORM

    def __init__(self, out: Console) -> None:
        self.out = out

    async def send_direct(self, user_id: str, reply: Reply) -> str | None:
        self._print(f"✉ to {user_id}", reply)
        return None

    async def send_channel(self, channel_id: str, reply: Reply, thread_id: str | None = None) -> str | None:
        self._print(f"# {channel_id}", reply)
        return None

    async def send_group(self, user_ids: list[str], reply: Reply) -> str | None:
        self._print("✉ to " + ", ".join(user_ids), reply)
        return None

    def _print(self, header: str, reply: Reply) -> None:
        self.out.print(escape(f"--- {header} ---\n{render(reply)}\n---"), highlight=False, soft_wrap=True)


class ConsoleAdapter:
    def __init__(self, core: Lighthouse, *, user: str, stdin: TextIO | None = None, out: Console | None = None):
        self.core = core
        self.user = user
        self.stdin = stdin or sys.stdin
        self.out = out or Console(highlight=False, soft_wrap=True)
        core.register_transport(ConsoleTransport(self.out))

    def message(self, text: str) -> Message:
        author = Author(platform=PLATFORM, user_id=self.user, display_name=self.user)
        return Message(author=author, text=text, channel_id=CHANNEL, is_direct=True)

    async def run(self) -> None:
        interactive = self.stdin.isatty()
        if interactive:
            self.out.print(f"Lighthouse — chatting as [bold]{escape(self.user)}[/bold]. Type `help`, or `quit` to leave.")
        while True:
            line = await asyncio.to_thread(self._read_line, interactive)
            if line is None:
                break
            text = line.rstrip("\n")
            if interactive and text.strip().lower() in {"quit", "exit"}:
                break
            if not interactive and not text.strip():
                continue  # blank lines in a piped script separate messages, they are not messages
            reply = await self.core.handle(self.message(text))
            self.out.print(escape(render(reply)), highlight=False, soft_wrap=True)
            if not interactive:
                self.out.print("")

    def _read_line(self, interactive: bool) -> str | None:
        if interactive:
            try:
                return input("you> ")
            except EOFError:
                return None
        line = self.stdin.readline()
        return line if line else None
