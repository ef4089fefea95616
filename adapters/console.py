"""The console adapter: chat with the bot in a terminal, or pipe one message per line into it.

Piped input (not a terminal) gets plain text, one answer per line read (a blank line too: the core's hint to
type `help`, as on every platform). In a terminal the chat has line editing and a history kept between
sessions (prompt_toolkit), answers rendered from their Markdown and wrapped at word boundaries (rich), a
spinner while an answer takes longer than a moment, and the one-line commands' forms asked field by field.
Files the bot sends are saved in both modes.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.text import Text

from adapters.delivery_policy import Capabilities, DeliveryPolicy, Entry, Request
from bot.app.core import Lighthouse
from bot.message import Author, Message
from bot.pagination import NO_LIMIT
from bot.reply import Attachment, Button, Form, Reply, Section, form_command

if TYPE_CHECKING:
    from rich.markdown import Markdown

PLATFORM = "console"
CHANNEL = "console"
QUIT_WORDS = {"quit", "exit"}
# An answer that takes longer than this gets a spinner (most answers take a few milliseconds).
SPINNER_AFTER_SECONDS = 0.25
HISTORY_FILE = "console-history"
TONE_STYLES = {"error": "red", "warning": "yellow", "success": "green", "info": ""}
# The console is one member's direct conversation with the bot: every answer is theirs, a terminal scrolls
# (only the core's page limits apply), and a terminal asks a form's fields one at a time, as a modal would;
# piped input shows the form's one-line syntax instead.
CONSOLE_CAPABILITIES = Capabilities(
    entries=frozenset({Entry.DIRECT}), modals=frozenset({Entry.DIRECT}), direct_messages=True, page_budget=NO_LIMIT
)
PIPED_CAPABILITIES = Capabilities(entries=frozenset({Entry.DIRECT}), direct_messages=True, page_budget=NO_LIMIT)


def database_location(core: Lighthouse) -> str:
    """The SQLite file's path, or the server URL without its password: where this community lives."""
    db = core.db
    if db.is_sqlite and db.url.database and db.url.database != ":memory:":
        return str(Path(db.url.database).resolve())
    return db.safe_url


def render(reply: Reply, saved: dict[str, Path] | None = None) -> str:
    """Plain text for a pipe: sections as blocks, buttons as the command they stand for."""
    blocks: list[str] = [reply.text] if reply.text else []
    blocks.extend(_section_text(section) for section in reply.sections)
    if reply.buttons:
        blocks.append(_button_commands(reply.buttons))
    blocks.extend(_attachment_line(attachment, (saved or {}).get(attachment.filename)) for attachment in reply.attachments)
    return "\n\n".join(block for block in blocks if block)


def _section_text(section: Section) -> str:
    """One section as plain lines: title, text, fields, link, context and buttons, each only if present."""
    lines: list[str] = [f"== {section.title} =="] if section.title else []
    if section.text:
        lines.append(section.text)
    lines.extend(f"  {field.label}: {field.value}" for field in section.fields)
    if section.link:
        lines.append(f"  {section.link.label}: {section.link.url}")
    if section.context:
        lines.append(f"  ({section.context})" if "\n" not in section.context else section.context)
    if section.buttons:
        lines.append("  " + _button_commands(section.buttons))
    return "\n".join(lines)


def _button_commands(buttons: list[Button]) -> str:
    return "  ".join(f"[{b.label} → {b.command}]" for b in buttons)


def _attachment_line(attachment: Attachment, path: Path | None) -> str:
    size = f"{len(attachment.content):,} bytes"
    # The name it was saved under: `-2` added when a file of the attachment's own name was already there.
    return f"[saved {path.name}, {size}: {path}]" if path else f"[attachment {attachment.filename}, {size}]"


def markdown(text: str, style: str = "") -> Markdown:
    """The bot's text as Markdown, keeping its own line breaks (Markdown would join lines into paragraphs)
    and its "•" lines as lists."""
    blocks: list[tuple[bool, list[str]]] = []
    for line in text.split("\n"):
        _add_markdown_line(blocks, line)
    source = "\n\n".join(("\n" if items else "  \n").join(lines) for items, lines in blocks if lines)
    from rich.markdown import Markdown  # with its parser and highlighter: only the console chat needs it

    return Markdown(source, style=style, hyperlinks=False)


def _add_markdown_line(blocks: list[tuple[bool, list[str]]], line: str) -> None:
    """Join a line to the block before it when both are list items or both are text, else start a block."""
    is_item = line.startswith(("• ", "- "))
    line = f"- {line[2:]}" if is_item else line
    if blocks and blocks[-1][0] == is_item and line.strip():
        blocks[-1][1].append(line)
    elif line.strip():
        blocks.append((is_item, [line]))
    else:
        blocks.append((False, []))  # a blank line stays a paragraph break


def rich_reply(reply: Reply, saved: dict[str, Path] | None = None) -> RenderableType:
    """A reply for a terminal: Markdown text, bold section titles, buttons as the commands they stand for."""
    parts: list[RenderableType] = []
    if reply.text:
        parts.append(markdown(reply.text, TONE_STYLES.get(reply.tone, "")))
    for section in reply.sections:
        parts.extend(_rich_section(section))
        parts.append(Text(""))
    if reply.buttons:
        parts.append(_buttons(reply.buttons))
    for attachment in reply.attachments:
        parts.append(Text(_attachment_line(attachment, (saved or {}).get(attachment.filename)), style="green"))
    while parts and isinstance(parts[-1], Text) and not parts[-1].plain:
        parts.pop()
    return Group(*parts)


def _rich_section(section: Section) -> list[RenderableType]:
    """One section for a terminal: each of its present parts, in order."""
    parts: list[RenderableType] = [Text(section.title, style="bold cyan")] if section.title else []
    if section.text:
        parts.append(markdown(section.text))
    if section.fields:
        parts.append(markdown("\n".join(f"**{_md_escape(f.label)}:** {f.value}" for f in section.fields)))
    if section.link:
        parts.append(Text.assemble((f"{section.link.label}: ", "bold"), (section.link.url, "underline")))
    if section.context:
        parts.append(markdown(section.context, "dim"))
    if section.buttons:
        parts.append(_buttons(section.buttons))
    return parts


def _buttons(buttons: list) -> Text:  # noqa: ANN001 - list[Button]
    text = Text()
    for number, button in enumerate(buttons):
        text.append("  " if number else "")
        text.append(f"[{button.label} → ", style="dim")
        text.append(button.command, style="bold")
        text.append("]", style="dim")
    return text


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]#])", r"\\\1", text)


def save_attachment(attachment: Attachment, folder: Path) -> Path:
    """Write a file the bot sent into `folder`, never over an existing file: name.ext, name-2.ext, ..."""
    name = Path(attachment.filename.replace("\\", "/")).name.lstrip(".") or "attachment"
    stem, suffix = Path(name).stem, Path(name).suffix
    path, number = folder / name, 1
    while True:
        try:
            with path.open("xb") as handle:  # "x": fails if the file exists, so two saves never collide
                handle.write(attachment.content)
            return path.resolve()
        except FileExistsError:
            number += 1
            path = folder / f"{stem}-{number}{suffix}"


def typed_form(form: Form, values: dict[str, str]) -> str:
    """What a member would type instead of a form of one field: `community ask <question>`, not the
    submitted `community ask question='<question>'` (empty when the form has several fields)."""
    if len(form.fields) != 1:
        return ""
    value = (values.get(form.fields[0].name) or "").strip()
    return f"{form.command} {value}" if value else ""


class ConsoleTransport:
    """Messages the bot sends on its own (DMs to other local members, channel posts) are printed."""

    platform = PLATFORM
    capabilities = CONSOLE_CAPABILITIES
    page_budget = CONSOLE_CAPABILITIES.page_budget

    def __init__(self, out: Console, downloads: Path | None = None) -> None:
        self.out = out
        self.downloads = downloads or Path.cwd()

    async def send_direct(self, user_id: str, reply: Reply) -> str | None:
        self._print(f"✉ to {user_id}", reply)
        return None

    async def send_channel(self, channel_id: str, reply: Reply, thread_id: str | None = None) -> str | None:
        self._print(f"# {channel_id}", reply)
        return None

    async def send_group(self, user_ids: list[str], reply: Reply) -> str | None:
        self._print("✉ to " + ", ".join(user_ids), reply)
        return None

    def save(self, reply: Reply) -> dict[str, Path]:
        return {attachment.filename: save_attachment(attachment, self.downloads) for attachment in reply.attachments}

    def _print(self, header: str, reply: Reply) -> None:
        saved = self.save(reply)
        self.out.print(escape(f"--- {header} ---\n{render(reply, saved)}\n---"), highlight=False, soft_wrap=True)


class ConsoleAdapter:
    platform = PLATFORM

    def __init__(
        self,
        core: Lighthouse,
        *,
        user: str,
        stdin: TextIO | None = None,
        out: Console | None = None,
        downloads: Path | None = None,
        history: Path | None = None,
    ):
        self.core = core
        self.user = user
        self.stdin = stdin or sys.stdin
        self.interactive = self.stdin.isatty()
        # A terminal wraps at word boundaries; a pipe gets each line whole.
        self.out = out or Console(highlight=False, soft_wrap=not self.interactive)
        self.history = history
        self.transport = ConsoleTransport(self.out, downloads)
        self.policy = DeliveryPolicy(CONSOLE_CAPABILITIES if self.interactive else PIPED_CAPABILITIES)
        core.register_transport(self.transport)

    def message(self, text: str) -> Message:
        author = Author(platform=PLATFORM, user_id=self.user, display_name=self.user)
        return Message(author=author, text=text, channel_id=CHANNEL, is_direct=True)

    async def run(self) -> None:
        if self.interactive:
            await self._run_interactive()
        else:
            await self._run_piped()

    async def stop(self) -> None:
        """Nothing runs beside the prompt: every answer is shown before the next line is read."""

    async def _run_piped(self) -> None:
        while True:
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                break
            text = line.rstrip("\n")  # a blank line is a message too: the core answers it with a hint
            reply = self.delivered(await self.answer(text), text)
            self.out.print(escape(render(reply, self.transport.save(reply))), highlight=False, soft_wrap=True)
            self.out.print("")

    async def _run_interactive(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        history = InMemoryHistory()
        if self.history is not None:
            try:
                self.history.parent.mkdir(parents=True, exist_ok=True)
                history = FileHistory(str(self.history))
            except OSError:  # a read-only home: history for this session only
                pass
        session: PromptSession[str] = PromptSession(history=history)
        self.out.print(
            markdown(
                f"Lighthouse — chatting as **{_md_escape(self.user)}**. Database: {_md_escape(database_location(self.core))}\n"
                "Type `help`; `more` shows the next page of a long answer; `quit`, Ctrl-D or Ctrl-C to leave."
            )
        )
        while True:
            try:
                # Ctrl-C at the prompt raises KeyboardInterrupt (the process ends with status 130). SIGINT
                # handling stays with asyncio, so Ctrl-C while an answer is computed ends it the same way.
                line = await session.prompt_async("you> ", handle_sigint=False)
            except EOFError:
                break
            text = line.strip()
            if text.lower() in QUIT_WORDS:
                break
            reply = await self.answer(text)
            delivery = self.policy.plan(reply, Request(entry=Entry.DIRECT, command=text))
            self._show(await self._fill_in(delivery.form) if delivery.form else delivery.answer or reply)

    async def answer(self, text: str) -> Reply:
        """The core's reply (`more` or `next` alone is answered there, as on every platform)."""
        handling = asyncio.ensure_future(self.core.handle(self.message(text)))
        if self.interactive:
            done, _ = await asyncio.wait({handling}, timeout=SPINNER_AFTER_SECONDS)
            if not done:
                with self.out.status("Working on it…", spinner="dots"):
                    await handling
        return await handling

    def delivered(self, reply: Reply, text: str) -> Reply:
        """What the conversation shows of `reply` (the console has no separate private or direct place)."""
        return self.policy.plan(reply, Request(entry=Entry.DIRECT, command=text)).answer or reply

    def _show(self, reply: Reply) -> None:
        self.out.print(rich_reply(reply, self.transport.save(reply)))
        self.out.print()

    def _typed_a_command(self, value: str) -> bool:
        """Whether a form's answer starts like a command line of its own (`intro @Camilla …` typed at the
        reason): the member may have meant to run it."""
        first, _, rest = value.partition(" ")
        return bool(rest.strip()) and self.core.catalogue.commands.lookup(first) is not None

    async def _run_instead(self, session: object, value: str) -> bool:
        """Ask whether to leave the form and run the command typed; only a yes does."""
        shown = value if len(value) <= 60 else value[:59] + "…"
        question = f"“{shown}” looks like a command. Leave the form and run it instead? (y/n): "
        try:
            answer = await session.prompt_async(question, handle_sigint=False)  # type: ignore[attr-defined]
        except EOFError:
            return False
        return answer.strip().lower() in {"y", "yes"}

    async def _fill_in(self, form: Form) -> Reply:
        """The console's form: ask each field in turn, then send the command the form stands for."""
        from prompt_toolkit import PromptSession

        session: PromptSession[str] = PromptSession()  # its answers stay out of the command history
        self.out.print(Text(form.title, style="bold cyan"))
        if form.note:
            self.out.print(Text(form.note))
        self.out.print(
            Text("One field at a time; Enter skips an optional one, Ctrl-D cancels the form.", style="dim")
        )
        values: dict[str, str] = {}
        for field in form.fields:
            hint = f" (e.g. {field.placeholder})" if field.placeholder else ""
            label = f"{field.label}{'' if field.required else ' (optional)'}{hint}: "
            while True:
                try:
                    value = (await session.prompt_async(label, default=field.value, handle_sigint=False)).strip()
                except EOFError:
                    return Reply(text="Form cancelled; nothing was saved.", private=True)
                if value and value != field.value and self._typed_a_command(value):
                    if await self._run_instead(session, value):
                        return await self.answer(value)
                    continue  # asked again, to type the field's value
                if value or not field.required:
                    break
                self.out.print(Text(f"{field.label} is required.", style="yellow"))
            values[field.name] = value[: field.max_length]
        command = form_command(form, values)
        self.out.print(Text(f"→ {typed_form(form, values) or command}", style="dim"), soft_wrap=True)
        return await self.answer(command)
