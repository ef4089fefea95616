"""Core replies as Discord messages: embeds and buttons within Discord's limits.

A reply's text becomes the message content, each section an embed (title, text and link as the
description, fields, the small print as footer) and buttons rows of at most five. What one message cannot
hold is carried over to the next, so a reply may become several messages; nothing is cut except titles and
button labels, which Discord caps. How many messages one page of an answer may take is Discord's page budget
(`plan_pages`, declared by the transport): the core pages long answers by it, so the renderer never cuts
one. Pure functions: no client, no network.

User text is escaped here: Markdown outside `code` spans, and @everyone, @here and role mentions are
broken with a zero-width space. Senders also pass `AllowedMentions.none()`, so even a mention that slipped
through would not ping anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import discord

from bot.reply import Attachment, Button, Field, Reply, Section

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_CHARS_PER_MESSAGE = 6000  # title, description, field names and values, footer: all embeds together
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
ROWS_PER_MESSAGE = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL_LIMIT = 80
# One page of an answer takes at most this many messages; the rest waits behind "More" (see plan_pages).
MESSAGES_PER_PAGE = 10

TONE_COLOURS = {
    "info": discord.Colour(0x5865F2),
    "success": discord.Colour(0x57F287),
    "warning": discord.Colour(0xFEE75C),
    "error": discord.Colour(0xED4245),
}
BUTTON_STYLES = {
    "default": discord.ButtonStyle.secondary,
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
}
NO_MENTIONS = discord.AllowedMentions.none()

_CODE_SPAN = re.compile(r"(`[^`\n]+`)")
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
# The core never mentions a Discord user itself, so a user mention in a reply is echoed text.
_USER_MENTION = re.compile(r"<@(!?\d+)>")
_ZWSP = "\u200b"


@dataclass(frozen=True)
class ButtonSpec:
    label: str
    command: str
    style: discord.ButtonStyle = discord.ButtonStyle.secondary


@dataclass
class OutgoingMessage:
    """One Discord message: content, embeds, rows of buttons and files, each within Discord's limits."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)
    rows: list[list[ButtonSpec]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def embed_chars(self) -> int:
        return sum(len(embed) for embed in self.embeds)

    @property
    def buttons(self) -> list[ButtonSpec]:
        return [button for row in self.rows for button in row]

    def is_empty(self) -> bool:
        return not (self.content or self.embeds or self.rows or self.attachments)

    def files(self) -> list[discord.File]:
        """Fresh file objects (discord.py consumes them when sending)."""
        import io

        return [discord.File(io.BytesIO(a.content), filename=a.filename) for a in self.attachments]


def neutralise_mentions(text: str) -> str:
    """@everyone, @here, role and user mentions shown as text, never as pings."""
    text = _MASS_MENTION.sub(lambda m: f"@{_ZWSP}{m.group(1)}", text)
    text = _ROLE_MENTION.sub(lambda m: f"<@&{_ZWSP}{m.group(1)}>", text)
    return _USER_MENTION.sub(lambda m: f"<@{_ZWSP}{m.group(1)}>", text)


def escape_text(text: str) -> str:
    """Plain core text as Discord Markdown: `code` spans kept, everything else shown literally."""
    parts = _CODE_SPAN.split(text)
    escaped = [part if index % 2 else discord.utils.escape_markdown(part) for index, part in enumerate(parts)]
    return neutralise_mentions("".join(escaped))


def plain(text: str) -> str:
    """For places Discord shows without Markdown (footers, button labels, modal titles): a `code` span loses
    its backticks, which would show as they are."""
    return neutralise_mentions(_INLINE_CODE.sub(r"\1", text))


_INLINE_CODE = re.compile(r"`([^`\n]+)`")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at line ends, then spaces, never inside an escape."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        chunks.append(rest[:cut].rstrip("\n"))
        rest = _after_cut(rest[cut:])
    if rest or not chunks:
        chunks.append(rest)
    return [chunk for chunk in chunks if chunk] or [""]


def _cut_point(rest: str, limit: int) -> int:
    """The last line end within `limit`, else the last space, else `limit` itself."""
    cut = rest.rfind("\n", 0, limit + 1)
    if cut <= 0:
        cut = rest.rfind(" ", 0, limit + 1)
    if cut > 0:
        return cut
    backslashes = len(rest[:limit]) - len(rest[:limit].rstrip("\\"))
    return limit - 1 if backslashes % 2 else limit  # an escape ("\*") must not be cut in two


def _after_cut(rest: str) -> str:
    """What follows a cut, without the line breaks (or the one space) it was cut at."""
    return rest.lstrip("\n") if rest.startswith("\n") else rest.removeprefix(" ")


def button_spec(button: Button) -> ButtonSpec:
    label = shorten(plain(button.label).strip() or button.command, BUTTON_LABEL_LIMIT)
    style = BUTTON_STYLES.get(button.style, BUTTON_STYLES["default"])
    return ButtonSpec(label=label, command=button.command, style=style)


def button_rows(buttons: list[Button]) -> list[list[ButtonSpec]]:
    specs = [button_spec(b) for b in buttons]
    return [specs[i : i + BUTTONS_PER_ROW] for i in range(0, len(specs), BUTTONS_PER_ROW)]


# A section named by its text alone (a one-line choice, as in "which member?") is named by that text up to this.
NAME_FROM_TEXT_CHARS = 60


def _section_name(section: Section) -> str:
    """What tells a section's buttons from another's: its title, or its text when that is one short line."""
    if section.title:
        return section.title
    bare = not (section.fields or section.link or section.context)
    text = section.text.strip()
    return text if bare and "\n" not in text and len(text) <= NAME_FROM_TEXT_CHARS else ""


def named_buttons(buttons: list[Button], name: str) -> list[Button]:
    """Buttons labelled with whose they are ("Introduce me · Mette Lind"). Discord shows every button under
    the message's last embed, so five "Introduce me" would not say which is whom; the command is unchanged."""
    name = " ".join(name.split())  # mentions in it are made harmless with the whole label (button_spec)
    named = []
    for button in buttons:
        room = BUTTON_LABEL_LIMIT - len(button.label) - len(" · ")
        label = f"{button.label} · {shorten(name, room)}" if name and room >= 10 else button.label
        named.append(replace(button, label=label))
    return named


def _link_line(section: Section) -> str:
    if section.link is None:
        return ""
    label = escape_text(section.link.label or section.link.url).replace("]", "\\]")
    url = section.link.url.strip()
    if url.startswith(("https://", "http://")) and not any(c in url for c in " <>"):
        # "%40" is the same address to a browser, and Discord never reads it as @everyone or @here.
        return f"[{label}](<{_MASS_MENTION.sub(lambda m: '%40' + m.group(1), url)}>)"
    return f"{label}: `{neutralise_mentions(url.replace('`', ''))}`"


def _fields(section: Section) -> list[tuple[str, str, bool]]:
    """(name, value, inline) triples within the field limits; long values continue in further fields."""
    result = []
    for item in section.fields:
        name = shorten(escape_text(item.label) or _ZWSP, FIELD_NAME_LIMIT)
        value = escape_text(item.value) or "—"
        inline = len(value) <= 40 and "\n" not in value
        for index, chunk in enumerate(split_text(value, FIELD_VALUE_LIMIT)):
            result.append((name if index == 0 else f"{shorten(name, FIELD_NAME_LIMIT - 10)} (cont.)", chunk, inline))
    return result


def section_embeds(section: Section, colour: discord.Colour) -> list[discord.Embed]:
    """One embed for a section, or several when its text or fields exceed one embed's limits."""
    title = shorten(escape_text(section.title), TITLE_LIMIT) if section.title else None
    description = "\n\n".join(part for part in (escape_text(section.text), _link_line(section)) if part)
    if _nothing_to_embed(title, description, section):
        return []  # Discord refuses an empty embed; a section of buttons only is just its buttons
    embeds = _description_embeds(title, description, colour)
    for name, value, inline in _fields(section):
        _embed_with_room(embeds, name, value, colour).add_field(name=name, value=value, inline=inline)
    if section.context:
        _add_footer(embeds, section.context, colour)
    return embeds


def _nothing_to_embed(title: str | None, description: str, section: Section) -> bool:
    return not (title or description or section.fields or section.context)


def _description_embeds(title: str | None, description: str, colour: discord.Colour) -> list[discord.Embed]:
    """The title on the first embed and the description cut over as many as it needs; one embed without it."""
    embeds: list[discord.Embed] = []
    for index, chunk in enumerate(split_text(description, DESCRIPTION_LIMIT) if description else []):
        embeds.append(discord.Embed(title=title if index == 0 else None, description=chunk, colour=colour))
    return embeds or [discord.Embed(title=title, colour=colour)]


def _embed_with_room(embeds: list[discord.Embed], name: str, value: str, colour: discord.Colour) -> discord.Embed:
    """The last embed when one more field fits in it, else a new one added after it."""
    current = embeds[-1]
    if len(current.fields) >= FIELDS_PER_EMBED or len(current) + len(name) + len(value) > EMBED_CHARS_PER_MESSAGE:
        current = discord.Embed(colour=colour)
        embeds.append(current)
    return current


def _add_footer(embeds: list[discord.Embed], context: str, colour: discord.Colour) -> None:
    """Small print under the last embed, or under a new one when the last has no room left for it."""
    footer = shorten(plain(context), FOOTER_LIMIT)
    if len(embeds[-1]) + len(footer) > EMBED_CHARS_PER_MESSAGE:
        embeds.append(discord.Embed(colour=colour))
    embeds[-1].set_footer(text=footer)


def _only_context(section: Section) -> bool:
    return bool(section.context) and not (
        section.title or section.text or section.fields or section.link or section.buttons
    )


class _Packer:
    """Fills messages in order, starting a new one when the next piece would break a limit."""

    def __init__(self) -> None:
        self.messages: list[OutgoingMessage] = [OutgoingMessage()]

    @property
    def current(self) -> OutgoingMessage:
        return self.messages[-1]

    def new_message(self) -> OutgoingMessage:
        if not self.current.is_empty():
            self.messages.append(OutgoingMessage())
        return self.current

    def add_embed(self, embed: discord.Embed) -> None:
        message = self.current
        if len(message.embeds) >= EMBEDS_PER_MESSAGE or message.embed_chars + len(embed) > EMBED_CHARS_PER_MESSAGE:
            message = self.new_message()
        message.embeds.append(embed)

    def add_rows(self, rows: list[list[ButtonSpec]]) -> None:
        for row in rows:
            message = self.current
            if len(message.rows) >= ROWS_PER_MESSAGE:
                message = self.new_message()
            message.rows.append(row)

    def add_footer(self, text: str) -> bool:
        """Small print alone goes under the previous embed when it fits there."""
        embeds = self.current.embeds
        if not embeds or embeds[-1].footer.text or self.current.embed_chars + len(text) > EMBED_CHARS_PER_MESSAGE:
            return False
        embeds[-1].set_footer(text=text)
        return True

    def add_text(self, text: str) -> None:
        """The reply's text as message content, cut over as many messages as it needs."""
        chunks = split_text(escape_text(text), CONTENT_LIMIT)
        for chunk in chunks[:-1]:
            self.current.content = chunk
            self.new_message()
        self.current.content = chunks[-1]

    def add_section(self, section: Section, colour: discord.Colour) -> None:
        """A section's embeds and buttons; small print alone goes under the previous embed where it fits."""
        if _only_context(section) and self.add_footer(shorten(plain(section.context or ""), FOOTER_LIMIT)):
            return
        for embed in section_embeds(section, colour):
            self.add_embed(embed)
        self.add_rows(button_rows(named_buttons(section.buttons, _section_name(section))))


def render(reply: Reply) -> list[OutgoingMessage]:
    """The messages that show `reply` on Discord, in order; always at least one."""
    packer = _Packer()
    if reply.text:
        packer.add_text(reply.text)
    colour = TONE_COLOURS.get(reply.tone, TONE_COLOURS["info"])
    for section in reply.sections:
        packer.add_section(section, colour)
    packer.add_rows(button_rows(reply.buttons))
    packer.current.attachments.extend(reply.attachments)
    return [m for m in packer.messages if not m.is_empty()] or [OutgoingMessage(content="…")]


# Of a section's plain text a part of it holds at most this much: escaped (which may double it) it still fits
# one embed, so a page of several parts is measured part by part.
PART_CHARS = 2500


def _parts(section: Section) -> list[Section]:
    """One section as parts that each render into about one embed (title on the first; link, small print
    and buttons on the last). Parts are ordinary sections, so they can be stored as pages."""
    pieces = [Section(text=chunk) for chunk in split_text(section.text, PART_CHARS)] if section.text else []
    size = PART_CHARS  # a full part: the first field starts a new one
    for item in section.fields:
        for label, chunk in _field_chunks(item):
            cost = len(label) + len(chunk)
            if _starts_part(pieces, size + cost):
                pieces.append(Section())
                size = 0
            pieces[-1].fields.append(Field(label, chunk))
            size += cost
    pieces = pieces or [Section()]
    pieces[0].title = section.title
    # The title stays on the first part: buttons on a later part are named after it here.
    buttons = section.buttons if len(pieces) == 1 else named_buttons(section.buttons, _section_name(section))
    pieces[-1].link, pieces[-1].context, pieces[-1].buttons = section.link, section.context, buttons
    for piece in pieces:  # each part still shows the document (a stored page leaves them all out together)
        piece.source_id = section.source_id
    return pieces


def _field_chunks(item: Field) -> list[tuple[str, str]]:
    """A field's value in chunks of at most PART_CHARS, each with its label ("(cont.)" after the first)."""
    chunks = split_text(item.value, PART_CHARS) if item.value else [""]
    return [(item.label if index == 0 else f"{item.label} (cont.)", chunk) for index, chunk in enumerate(chunks)]


def _starts_part(pieces: list[Section], size: int) -> bool:
    """Whether the next field needs a new part: the last part holds no fields, is full, or has 10 fields."""
    return not pieces or not pieces[-1].fields or size > PART_CHARS or len(pieces[-1].fields) >= 10


def normalise(reply: Reply) -> Reply:
    """The same reply with every section too big for one embed cut into parts (see `_parts`)."""
    parts: list[Section] = []
    for section in reply.sections:
        small = len(section.fields) <= 10 and len(section.text) + sum(
            len(f.label) + len(f.value) for f in section.fields
        ) <= PART_CHARS
        parts.extend([section] if small else _parts(section))
    return replace(reply, sections=parts)


def plan_pages(reply: Reply) -> list[list[Section]]:
    """How a reply's sections fall into pages of at most MESSAGES_PER_PAGE messages, measured as rendered.

    One page when everything fits. Otherwise each page takes the whole sections that fit beside its text
    (the reply's own on the first page, "(page n of m)" on later ones) and its buttons ("More", or the
    reply's own on the last page: both are counted). A section too big for a page on its own is a page.
    """
    if len(render(reply)) <= MESSAGES_PER_PAGE:
        return [reply.sections]
    buttons = [*reply.buttons, Button("More (99/99)", "more " + "-" * 16 + " 99", style="primary")]
    pages: list[list[Section]] = []
    current: list[Section] = []
    for section in reply.sections:
        text = reply.text if not pages else "(page 99 of 99)"
        candidate = replace(reply, text=text, sections=[*current, section], buttons=buttons, attachments=[])
        if current and len(render(candidate)) > MESSAGES_PER_PAGE:
            pages.append(current)
            current = []
        current.append(section)
    if current:
        pages.append(current)
    return pages
