"""Hostile input for property tests, and the check that rendered output never pings a crowd.

Reuse in any renderer test:

    from tests.hostile import assert_no_live_ping, hostile_replies

    @given(hostile_replies())
    def test_slack_renderer_never_pings(reply):
        assert_no_live_ping(render_text_of(reply), "slack")

Every reply these strategies build is made only of user-like text, so any live ping in its rendering
was built from user text. Pass `allowed=` the exact mention tokens a test put in on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hypothesis import strategies as st

from bot.reply import Attachment, Button, Field, Link, Reply, Section

# Mention and broadcast syntax of every platform, and look-alikes that must stay harmless.
MENTION_FRAGMENTS = (
    "@everyone",
    "@here",
    "@channel",
    "@EVERYONE",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<!channel|@channel>",
    "<!subteam^S0123ABC>",
    "<!subteam^S0123ABC|@designers>",
    "<@U012AB3CD>",
    "<@W012AB3CD|someone>",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&123456789012345678>",
    "<#C012AB3CD>",
    "<#123456789012345678>",
    "@\u200beveryone",
    "＠everyone",
    "@everyone\u200b",
    "@@here",
    "<<!channel>>",
    "<!chan\u0000nel>",
    "member:1",
    "member:999999999999",
)
MARKDOWN_FRAGMENTS = (
    "*",
    "**",
    "_",
    "__",
    "~",
    "~~",
    "`",
    "```",
    "```python\n",
    ">",
    ">>>",
    "||",
    "# ",
    "- ",
    "1. ",
    "[link](https://example.org)",
    "<https://example.org|click>",
    "<mailto:a@example.org|mail>",
    "&amp;",
    "&lt;",
    "&gt;",
    "&",
    "<",
    ">",
    "\\",
    "\\`",
    "[/]",
    "[bold]",
    "[/bold]",
    "[link=https://example.org]x[/link]",
    "%s",
    "%(name)s",
    "{0}",
    "{}",
    '"',
    "'",
    "“quoted”",
    ":smile:",
    "<t:1700000000:F>",
    "<:emoji:123456789012345678>",
)
CONTROL_CHARACTERS = (
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x1b",
    "\x1b[31m",
    "\x1b]8;;https://example.org\x1b\\",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\x0b",
    "\x0c",
    "\x7f",
    "\x85",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u202e",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\U0001f600",
    "\U0001f469\u200d\U0001f52c",
    "e\u0301",
)
COMMAND_WORDS = ("help", "profile", "set", "privacy", "role", "grant", "audit", "more", "lighthouse", "/", "!")


def fragments() -> st.SearchStrategy[str]:
    return st.sampled_from(MENTION_FRAGMENTS + MARKDOWN_FRAGMENTS + CONTROL_CHARACTERS + COMMAND_WORDS)


def hostile_text(*, max_size: int = 200) -> st.SearchStrategy[str]:
    """Any Unicode (control characters included), mixed with mention, markdown and command syntax."""
    mixed = st.lists(st.one_of(fragments(), st.text(max_size=12)), max_size=max(1, max_size // 6)).map("".join)
    return st.one_of(st.text(max_size=max_size), mixed, fragments())


def long_text(*, max_repeats: int = 800) -> st.SearchStrategy[str]:
    """Very long text (up to several thousand characters), cheaply: a hostile piece repeated."""
    return st.builds(
        lambda piece, times: piece * times, hostile_text(max_size=20).filter(bool), st.integers(50, max_repeats)
    )


def any_text() -> st.SearchStrategy[str]:
    return st.one_of(hostile_text(), long_text())


def hostile_buttons() -> st.SearchStrategy[list[Button]]:
    button = st.builds(
        Button,
        label=hostile_text(max_size=40),
        command=hostile_text(max_size=90),
        style=st.sampled_from(["default", "primary", "danger"]),
    )
    return st.lists(button, max_size=3)


def hostile_sections() -> st.SearchStrategy[list[Section]]:
    section = st.builds(
        Section,
        title=st.none() | hostile_text(max_size=80),
        text=any_text(),
        fields=st.lists(st.builds(Field, label=hostile_text(max_size=40), value=hostile_text()), max_size=3),
        link=st.none() | st.builds(Link, label=hostile_text(max_size=40), url=hostile_text(max_size=100)),
        context=st.none() | hostile_text(),
        buttons=hostile_buttons(),
    )
    return st.lists(section, max_size=4)


def hostile_replies() -> st.SearchStrategy[Reply]:
    """Replies whose every string is user-like text: what a renderer must survive and neutralise."""
    attachment = st.builds(
        Attachment, filename=hostile_text(max_size=60), content=st.binary(max_size=200), mime_type=st.just("text/plain")
    )
    return st.builds(
        Reply,
        text=any_text(),
        sections=hostile_sections(),
        buttons=hostile_buttons(),
        private=st.booleans(),
        direct=st.booleans(),
        attachments=st.lists(attachment, max_size=2),
        tone=st.sampled_from(["info", "success", "warning", "error"]),
    )


# --- The check --------------------------------------------------------------------------------------

_SLACK_LIVE = (
    re.compile(r"<!(?:channel|here|everyone|group)(?:\|[^>]*)?>", re.IGNORECASE),
    re.compile(r"<!subteam\^[^>]*>", re.IGNORECASE),
)
_SLACK_USER = re.compile(r"<@[A-Za-z0-9]+(?:\|[^>]*)?>")
_SLACK_PLAIN = re.compile(r"(?<![\w@])@(?:channel|here|everyone)\b", re.IGNORECASE)
_DISCORD_LIVE = (
    re.compile(r"@(?:everyone|here)"),  # Discord matches these anywhere, case-sensitively
    re.compile(r"<@&\d+>"),  # a role ping
)
_DISCORD_USER = re.compile(r"<@!?\d+>")


def live_pings(rendered: str, platform: str, *, allowed: Iterable[str] = (), strict_plain: bool = False) -> list[str]:
    """The pings `rendered` would fire if posted as message text on `platform`.

    Slack: `<!channel>`, `<!here>`, `<!everyone>`, user groups `<!subteam^…>` and user mentions `<@U…>`.
    Plain "@channel" is inert in messages a bot posts (Slack only links it with link_names); pass
    `strict_plain=True` to refuse it too. Discord: "@everyone"/"@here" anywhere (a zero-width space
    after "@" neutralises them), role pings `<@&id>` and user mentions `<@id>`. The console has none.
    Mentions listed in `allowed` (the bot's own, put in on purpose) are not counted.
    """
    allowed_set = set(allowed)
    found: list[str] = []
    if platform == "slack":
        patterns = [*_SLACK_LIVE, _SLACK_USER] + ([_SLACK_PLAIN] if strict_plain else [])
    elif platform == "discord":
        patterns = [*_DISCORD_LIVE, _DISCORD_USER]
    elif platform == "console":
        return []
    else:
        raise ValueError(f"unknown platform {platform!r}")
    for pattern in patterns:
        found.extend(m.group(0) for m in pattern.finditer(rendered) if m.group(0) not in allowed_set)
    return found


def assert_no_live_ping(
    rendered: str, platform: str, *, allowed: Iterable[str] = (), strict_plain: bool = False
) -> None:
    pings = live_pings(rendered, platform, allowed=allowed, strict_plain=strict_plain)
    assert not pings, f"live ping(s) {pings!r} in {platform} output: {rendered[:300]!r}"


INTERNAL_ERROR_MARK = "Something went wrong on my side"


def assert_handled(reply: Reply) -> None:
    """A reply to hostile input is an answer or a polite refusal, never the internal-error reply."""
    assert isinstance(reply, Reply)
    assert INTERNAL_ERROR_MARK not in reply.text, reply.text
    for button in [*reply.buttons, *(b for s in reply.sections for b in s.buttons)]:
        assert len(button.command) <= 90, f"button command too long for Discord: {button.command[:100]!r}"
