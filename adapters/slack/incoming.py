"""Slack message text -> the plain text the core reads.

Slack sends text with its own markup: `&amp;`, `&lt;`, `&gt;` for what the user typed, `<@U123|name>` for a
user mention, `<#C123|name>` for a channel, `<!here>` for a broadcast and `<https://...|label>` for a link.
The core gets user mentions as `<@U123>` (with the users in `Message.mentions`), channels as `<#C123>`,
broadcasts as plain words and links as their URL (after the link's own words, when it has any);
everything else unescaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"^@([UW][A-Z0-9]+)(?:\|[^>]*)?$")
_CHANNEL = re.compile(r"^#([CGD][A-Z0-9]+)(?:\|[^>]*)?$")
_SPECIAL = re.compile(r"^!(\w+)(?:\^[^|]*)?(?:\|(.*))?$")


@dataclass
class IncomingText:
    text: str
    user_ids: list[str] = field(default_factory=list)  # mentioned users, in order, without repeats


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse(raw: str, *, bot_user_id: str | None = None) -> IncomingText:
    """Plain text for the core; a mention of the bot itself is dropped (see `addressed_text`)."""
    user_ids: list[str] = []

    def token(match: re.Match[str]) -> str:
        inner = match.group(1)
        user = _USER.match(inner)
        if user:
            user_id = user.group(1)
            if user_id == bot_user_id:
                return ""
            if user_id not in user_ids:
                user_ids.append(user_id)
            return f"<@{user_id}>"
        channel = _CHANNEL.match(inner)
        if channel:
            return f"<#{channel.group(1)}>"
        special = _SPECIAL.match(inner)
        if special:
            label = special.group(2)
            return unescape(label) if label else f"@{special.group(1)}"
        url, _, label = (unescape(part) for part in inner.partition("|"))
        # A link with words of its own ("<https://…|the school food report>") keeps them, before its
        # address; one Slack made of a typed address ("<https://example.org|example.org>") is the address.
        label = " ".join(label.split())
        return f"{label} ({url})" if label and label not in url else url

    text = _TOKEN.sub(token, raw or "")
    return IncomingText(text=unescape(text).strip(), user_ids=user_ids)


_AFTER_MENTION = re.compile(r"^(?:[ \t,]|:(?![\w+'-]+:))+")


def addressed_text(raw: str, bot_user_id: str | None) -> str:
    """The command in a message that mentions the bot: what follows the mention ("@Lighthouse pilots obesity",
    "hey @Lighthouse, help"), or what precedes it when nothing follows ("help @Lighthouse")."""
    if not bot_user_id:
        return raw
    match = re.search(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", raw or "")
    if match is None:
        return raw
    # "@Lighthouse: help" and "@Lighthouse, help"; a colon that opens an emoji code (":pizza:") stays.
    after = _AFTER_MENTION.sub("", raw[match.end() :])
    return after if after.strip() else raw[: match.start()]


def mentions_user(raw: str, user_id: str | None) -> bool:
    return bool(user_id) and re.search(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>", raw or "") is not None
