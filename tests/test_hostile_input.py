"""Property tests: hostile text through the parser, the router and every command, and the console renderer.

Whatever arrives (any Unicode, control characters, very long text, markdown and mention syntax), the
bot answers or refuses politely: never an unhandled exception, never the internal-error reply.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import escape

from adapters.console import render
from bot.app.catalogue import full_catalogue
from bot.app.router import parse
from tests.hostile import (
    CONTROL_CHARACTERS,
    MENTION_FRAGMENTS,
    any_text,
    assert_handled,
    assert_no_live_ping,
    hostile_replies,
    hostile_text,
    live_pings,
)
from tests.support import Chat

# One database per test function, shared by its examples: that is the point (state piles up).
DB_EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def command_words() -> st.SearchStrategy[str]:
    """Every registered command and alias, with its subcommands: so hostile arguments reach handlers."""
    words: list[str] = []
    for command in full_catalogue().commands.all():
        for name in (command.name, *command.aliases):
            words.append(name)
            words.extend(f"{name} {sub.name}" for sub in command.subcommands if sub.role)
    words += [
        "profile set bio",
        "profile set name",
        "profile set expertise",
        "privacy consent",
        "privacy erase confirm",
    ]
    return st.sampled_from(sorted(set(words)))


def command_lines() -> st.SearchStrategy[str]:
    return st.one_of(
        any_text(),
        st.builds(lambda word, rest: f"{word} {rest}", command_words(), any_text()),
        st.builds(lambda word, rest: f"/{word.upper()}\t{rest}", command_words(), hostile_text()),
    )


@given(any_text())
@settings(max_examples=300, deadline=None)
def test_parser_never_fails_and_gives_a_clean_command_name(text):
    name, rest = parse(text)
    assert isinstance(name, str) and isinstance(rest, str)
    assert name == name.lower()
    assert not any(ch.isspace() for ch in name)
    assert rest == rest.strip()


@DB_EXAMPLES
@given(text=command_lines(), as_admin=st.booleans())
async def test_router_answers_any_text_without_an_internal_error(chat: Chat, text, as_admin):
    reply = await chat.say(text, as_user="admin" if as_admin else "alice")
    assert_handled(reply)


@DB_EXAMPLES
@given(text=command_lines())
async def test_every_command_survives_hostile_arguments_as_a_member(chat: Chat, text):
    reply = await chat.say(text, as_user="mallory")
    assert_handled(reply)


@DB_EXAMPLES
@given(value=any_text(), field=st.sampled_from(["name", "organisation", "bio", "expertise", "interests", "country"]))
async def test_hostile_profile_values_are_stored_or_refused_and_shown_back_safely(chat: Chat, value, field):
    saved = await chat.say(f"profile set {field} {value}", as_user="eve")
    assert_handled(saved)
    shown = await chat.say("profile", as_user="eve")
    assert_handled(shown)
    for command in ("privacy", "privacy export", "role"):
        assert_handled(await chat.say(command, as_user="eve"))


@DB_EXAMPLES
@given(name=hostile_text(max_size=60), text=hostile_text())
async def test_hostile_display_names_never_break_admin_views(core, chat: Chat, name, text):
    from bot.message import Author, Message

    author = Author(platform="console", user_id=f"user-{len(name) % 7}", display_name=name)
    assert_handled(await core.handle(Message(author=author, text=f"profile set bio {text}")))
    for command in ("role list", "audit 50", f"role grant member:{1} coordinator"):
        assert_handled(await chat.say(command, as_user="admin"))


@given(hostile_replies())
@settings(max_examples=100, deadline=None)
def test_console_renderer_shows_everything_and_never_fails(reply):
    out = render(reply)
    assert isinstance(out, str)
    for piece in [reply.text, *(s.text for s in reply.sections), *(s.title or "" for s in reply.sections)]:
        assert piece in out
    for button in [*reply.buttons, *(b for s in reply.sections for b in s.buttons)]:
        assert f"[{button.label} → {button.command}]" in out
    # The adapter prints through rich: markup in user text must never be taken as markup.
    console = Console(file=io.StringIO(), highlight=False, soft_wrap=True, width=100)
    console.print(escape(out), highlight=False, soft_wrap=True)
    console.print(escape(out), markup=True)
    assert live_pings(out, "console") == []


EVERY_FRAGMENT = (
    *MENTION_FRAGMENTS,
    *CONTROL_CHARACTERS,
    "```",
    "[/]",
    "%s",
    "{0}",
    "\ud800",
    "İ" * 200,
    "9" * 30,
    "²",
    "١٢",
    "9" * 12,
)
TEMPLATES = (  # (command, who types it): admin-only commands are typed by an admin to reach the handler
    ("profile set bio {0}", "trudy"),
    ("profile set name x{0}x", "trudy"),
    ("profile set organisation {0}", "trudy"),
    ("role grant {0} coordinator", "admin"),
    ("role revoke member:{0} expert", "admin"),
    ("help {0}", "trudy"),
    ("privacy consent {0} on", "trudy"),
    ("privacy erase confirm {0}", "trudy"),
    ("more {0} 2", "trudy"),
    ("audit {0}", "admin"),
    ("{0}", "trudy"),
)


async def test_every_fragment_in_every_position_is_handled(chat: Chat):
    """Deterministic companion of the property tests: each known-nasty fragment through each command."""
    for fragment in EVERY_FRAGMENT:
        for template, user in TEMPLATES:
            reply = await chat.say(template.format(fragment), as_user=user)
            assert_handled(reply)


# --- The ping check itself must catch what it claims to catch (colleagues' renderer tests rely on it). ---


@pytest.mark.parametrize(
    ("platform", "text"),
    [
        ("discord", "hi @everyone"),
        ("discord", "@here look"),
        ("discord", "x@everyone\u200b"),
        ("discord", "role <@&123456789012345678>"),
        ("discord", "user <@123456789012345678>"),
        ("discord", "user <@!123456789012345678>"),
        ("slack", "<!channel> hi"),
        ("slack", "<!here|here>"),
        ("slack", "<!EVERYONE>"),
        ("slack", "<!subteam^S0123ABC|@designers>"),
        ("slack", "<@U012AB3CD>"),
    ],
)
def test_live_pings_are_detected(platform, text):
    with pytest.raises(AssertionError):
        assert_no_live_ping(text, platform)


@pytest.mark.parametrize(
    ("platform", "text"),
    [
        ("discord", "@\u200beveryone and @\u200bhere"),
        ("discord", "＠everyone"),
        ("discord", "&lt;@&amp;123&gt;"),
        ("slack", "&lt;!channel&gt; and @channel as plain text"),
        ("slack", "<#C012AB3CD> is a channel link, not a ping"),
        ("console", "<!channel> @everyone <@U1>"),
    ],
)
def test_neutralised_mentions_pass(platform, text):
    assert_no_live_ping(text, platform)


def test_allowed_mentions_and_strict_plain():
    assert_no_live_ping("intro: <@U1> meet <@U2>", "slack", allowed={"<@U1>", "<@U2>"})
    with pytest.raises(AssertionError):
        assert_no_live_ping("intro: <@U1> meet <@U3>", "slack", allowed={"<@U1>"})
    with pytest.raises(AssertionError):
        assert_no_live_ping("hey @channel", "slack", strict_plain=True)
    with pytest.raises(ValueError):
        live_pings("x", "irc")


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200))
@settings(max_examples=200, deadline=None)
def test_cleaning_leaves_no_control_characters_or_surrogates_and_is_stable(text):
    import unicodedata

    from bot.sanitize import clean_text

    cleaned = clean_text(text)
    assert all(ch in "\t\n\r" or unicodedata.category(ch) not in {"Cc", "Cs"} for ch in cleaned)
    assert clean_text(cleaned) == cleaned
    cleaned.encode("utf-8")  # storable and sendable anywhere


async def test_control_characters_never_reach_the_database(core, chat: Chat):
    from sqlalchemy import select

    from bot.message import Author, Message
    from storage.models import Member

    author = Author(platform="console", user_id="esc\x00ape", display_name="\x1b[31mred\x1b[0m\x00 name")
    reply = await core.handle(Message(author=author, text="profile set bio line one\nline\x00 two\x07"))
    assert reply.tone == "success"
    async with core.db.session() as session:
        member = (await session.execute(select(Member).where(Member.display_name == "red name"))).scalar_one()
    assert member.bio == "line one\nline two"
    assert member.identities[0].platform_user_id == "escape"


@pytest.mark.parametrize(("typed", "cleaned"), [
    ("\x1b[31mred\x1b[0m obesity", "red obesity"),  # colours: the whole sequence goes, not only ESC
    ("\x1b[2J\x1b[1;1Hobesity", "obesity"),  # clear the screen, move the cursor
    ("\x1b]0;title\x07obesity", "obesity"),  # a window title (OSC, ended by BEL)
    ("\x1b]8;;http://x.example\x1b\\link\x1b]8;;\x1b\\ text", "link text"),  # a terminal hyperlink (ended by ST)
    ("\x9b31mobesity", "obesity"),  # the one-character CSI
    ("tab\there\r\nline", "tab\there\r\nline"),
    ("unfinished \x1b[31", "unfinished 31"),  # a sequence that never ends: no text after it is lost
])
def test_escape_sequences_are_removed_whole(typed: str, cleaned: str):
    from bot.sanitize import clean_text

    assert clean_text(typed) == cleaned
