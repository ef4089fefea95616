"""Incoming text made safe to store and show: no control characters, no unencodable code points.

PostgreSQL refuses NUL in text, a lone surrogate cannot be encoded at all, and terminal escape codes
in a display name would reach whoever reads the console or the logs. A terminal escape sequence goes whole
(`\x1b[31m`, not just its ESC, which would leave "[31m" to be echoed and searched). Tabs and line breaks stay.
Text one member wrote and others read is shown with its mentions made harmless (`safe_text`), and kept with
known users' names instead of their ids where it is stored to be read later (`named_mentions`); the words a
member asks about are read without any mention at all (`without_mentions`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from bot.message import Author, Message

# C0 and C1 controls except tab, line feed and carriage return; DEL; UTF-16 surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# ECMA-48 escape sequences, with their parameters: a control sequence (CSI: `ESC [` or U+009B, parameters,
# a final letter: colours, cursor moves), a control string (OSC, DCS, APC, PM, SOS: a window title, a link)
# with its terminator (BEL or ST), and any other escape (`ESC` and one character). Of an unfinished one only
# the control characters go (_UNSAFE), never the text after it.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
MAX_NAME_CHARS = 200  # members.display_name
MAX_USER_ID_CHARS = 100  # platform_identities.platform_user_id


_BRACKET_MENTION = re.compile(r"<(?:@[!&]?|!|#)([^>]*)>")
_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)


# A mention in any form the core receives it: a platform token, raw or neutralised (`<@U123|ana>`, `<@!123>`,
# `<@&123>`, `<#C123|general>`, `<!here>`, `<!subteam^S1|@team>`, `<@\u200b123>`), or `@name` at the start
# of a word, which covers @channel, @here and @everyone as typed ("＠everyone", "@\u200beveryone" too) and the
# names adapters write for people, roles and user groups (`@ana`, `@Moderators`). An e-mail address is no
# mention: its "@" follows a letter.
_INVISIBLE_CHARS = "\u200b-\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_MENTION_PATTERN = (
    rf"(?:<[@#!][^<>\n]{{0,100}}>|(?<![\w.@＠{_INVISIBLE_CHARS}])[@＠]+[{_INVISIBLE_CHARS}]*\w[\w.{_INVISIBLE_CHARS}-]*+)"
)
_MENTION = re.compile(_MENTION_PATTERN)
# After a mention, a colon is a separator ("@Lighthouse: help"), unless it opens an emoji code (":pizza:").
_LEADING_MENTIONS = re.compile(
    rf"^(?>{_MENTION_PATTERN}(?:[\s,;{_INVISIBLE_CHARS}]|:(?![\w+'-]+:))*+)+"
)
# Emoji as text: Slack's shortcodes (`:pizza:`, `:+1::skin-tone-2:`), written by Slack for every emoji in a
# message, and Discord's custom emoji (`<:party:123>`, `<a:wave:456>`). A filter (`country:DK`) is none: its
# colon follows a letter.
_EMOJI_CODE = re.compile(r"<a?:\w{1,64}:\d{1,25}>|(?<!\w):[\w+'-]{1,64}:(?::skin-tone-\d:)?(?!\w)")


def without_mentions(text: str) -> str:
    """The words of `text` with every mention left out (and invisible characters with them): what a member
    asks about, never whom they addressed. Whitespace is collapsed."""
    return " ".join(_INVISIBLE.sub("", _MENTION.sub(" ", text)).split())


def has_mention(text: str) -> bool:
    """Whether `text` mentions anyone (in any of the forms `without_mentions` leaves out)."""
    return _MENTION.search(text) is not None


# A link as members paste it: Markdown's "[text](address)", Slack's "<address|text>" or "<address>", or a
# bare address.
_MARKDOWN_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_SLACK_LINK = re.compile(r"<(?:https?://|mailto:)[^|>\s]*(?:\|([^>]*))?>", re.IGNORECASE)
_BARE_ADDRESS = re.compile(r"\(\s*(?:https?://|www\.)[^\s)]*\s*\)|(?<!\w)(?:https?://|www\.)\S+", re.IGNORECASE)


def markdown_links_as_text(text: str) -> str:
    """`text` with each Markdown link ("[text](address)") as its text alone."""
    return _MARKDOWN_LINK.sub(lambda m: m.group(1), text) if "[" in text else text


def links_as_text(text: str) -> str:
    """`text` with each link as the words it shows and no address: "obesity in [schools](https://…)" asks
    about obesity in schools, and an address's pieces ("https", "example", "com") are no words to search by."""
    text = markdown_links_as_text(text)
    if "<" in text:
        text = _SLACK_LINK.sub(lambda m: m.group(1) or " ", text)
    return _BARE_ADDRESS.sub(" ", text)


def without_emoji_codes(text: str) -> str:
    """`text` without emoji written as codes (`:pizza:`, `<:party:123>`): none is a word to search by."""
    return _EMOJI_CODE.sub(" ", text)


def without_leading_mentions(text: str) -> str:
    """`text` after the mentions it starts with ("@here, help" is "help"); the rest as typed."""
    return _LEADING_MENTIONS.sub("", text.lstrip(), count=1).lstrip()


def named_mentions(text: str, mentions: Mapping[str, Author]) -> str:
    """`text` with each mention of a known user written as their name ("@Alice Andersen"): text kept to be
    read later, by someone else or on another platform, says whom the writer meant, not a platform id."""
    for token, author in mentions.items():
        if author.display_name:
            text = text.replace(token, "@" + author.display_name)
    return text


def safe_text(text: str) -> str:
    """Member text shown to others, unable to ping anyone: platform mentions become plain words."""
    text = _BRACKET_MENTION.sub(lambda m: "@" + m.group(1).split("|")[-1], text)
    return _MASS_MENTION.sub(lambda m: "@\u200b" + m.group(1), text)


def clean_text(text: str) -> str:
    """`text` without escape sequences, control characters (but tab and line breaks) and surrogates."""
    return _UNSAFE.sub("", _ESCAPE_SEQUENCE.sub("", text))


def clean_author(author: Author) -> Author:
    name = " ".join(clean_text(author.display_name).split())[:MAX_NAME_CHARS]
    user_id = clean_text(author.user_id)[:MAX_USER_ID_CHARS]
    if name == author.display_name and user_id == author.user_id:
        return author
    return dataclasses.replace(author, display_name=name or user_id, user_id=user_id)


def clean_message(message: Message) -> Message:
    """The same message with its text and every author in it cleaned (a no-op for ordinary text)."""
    return dataclasses.replace(
        message,
        text=clean_text(message.text or ""),
        author=clean_author(message.author),
        reply_to=clean_author(message.reply_to) if message.reply_to else None,
        mentions={token: clean_author(author) for token, author in message.mentions.items()},
    )
