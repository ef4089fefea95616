import pytest

from bot.app.router import parse
from bot.commands import Command
from bot.reply import Reply, Section
from tests.support import Chat, with_commands


def test_parse_accepts_prefixes_and_keeps_arguments_as_typed():
    assert parse("/help profile") == ("help", "profile")
    assert parse("  !PROFILE set country  Denmark ") == ("profile", "set country  Denmark")
    assert parse("lighthouse: help") == ("help", "")
    assert parse("") == ("", "")


def test_parse_skips_the_mentions_a_message_starts_with():
    assert parse("@here help") == ("help", "")
    assert parse("<!channel> <@U1|ana>, lighthouse: profile set country  DK") == ("profile", "set country  DK")
    assert parse("@\u2060everyone intro @ana about meals") == ("intro", "@ana about meals")
    assert parse("<!here> <@U1>") == ("", "")


async def test_help_lists_commands_and_explains_one(chat: Chat):
    listing = await chat.text("help")
    assert "profile" in listing and "help" in listing
    detail = await chat.text("help profile")
    assert "profile set sector hospital" in detail


async def test_unknown_command_suggests_the_closest(chat: Chat):
    reply = await chat.say("profil")
    assert reply.tone == "error"
    assert "Did you mean: profile" in reply.text


async def test_help_for_unknown_command_is_polite(chat: Chat):
    reply = await chat.say("help frobnicate")
    assert reply.tone == "error" and "no command" in reply.text


async def test_empty_and_whitespace_messages_get_a_hint(chat: Chat):
    for text in ("", "   ", "\n\t"):
        reply = await chat.say(text)
        assert "help" in reply.text


async def test_oversized_message_is_refused_with_length_and_limit(chat: Chat):
    reply = await chat.say("help " + "x" * 5000)
    assert reply.tone == "error"
    assert "5,005" in reply.text and "4,000" in reply.text


async def boom(ctx):
    raise RuntimeError("kaboom")


RAN: list[str] = []


async def secret(ctx):
    RAN.append(ctx.member.display_name)
    return Reply(text="done")


async def many(ctx):
    return Reply(text="results", sections=[Section(title=f"Result {i}") for i in range(12)])


@pytest.fixture
def features():
    """Every feature, and commands of these tests: one that crashes, one for admins, one with a long answer."""
    return with_commands(
        Command(name="crash", summary="s", usage="crash", handler=boom),
        Command(name="secret", summary="s", usage="secret", handler=secret, role="admin"),
        Command(name="many", summary="s", usage="many", handler=many),
    )


async def test_a_crashing_handler_answers_with_an_error_id(chat: Chat):
    reply = await chat.say("crash")
    assert reply.tone == "error"
    assert "error id" in reply.text and "kaboom" not in reply.text


async def test_role_is_checked_before_the_handler_runs(chat: Chat):
    RAN.clear()
    refused = await chat.say("secret", as_user="alice")
    assert refused.tone == "error" and "admin" in refused.text and not RAN
    allowed = await chat.say("secret", as_user="admin")  # console:admin is an admin in the test settings
    assert allowed.text == "done" and RAN == ["admin"]


async def test_long_answers_are_paged_behind_a_more_button(chat: Chat):
    first = await chat.say("many")
    assert [s.title for s in first.sections] == [f"Result {i}" for i in range(5)]
    assert "page 1 of 3" in first.text
    (more,) = first.buttons
    second = await chat.say(more.command, from_button=True)
    assert [s.title for s in second.sections] == [f"Result {i}" for i in range(5, 10)]
    third = await chat.say(second.buttons[0].command)
    assert [s.title for s in third.sections] == ["Result 10", "Result 11"] and not third.buttons
    expired = await chat.say("more nosuchpage 2")
    assert expired.tone == "error" and "expired" in expired.text
    page_id = more.command.split()[1]
    past_the_end = await chat.say(f"more {page_id} 4")
    assert past_the_end.tone != "error" and past_the_end.text == "No more results: that answer had 3 pages."
    for typed in ("more", "next"):  # alone, after an answer without a More button
        alone = await chat.say(typed)
        assert alone.tone != "error" and alone.text.startswith("No more results")


async def test_help_tells_how_more_and_quit_work(chat: Chat):
    more = (await chat.say("help more")).plain_text()
    assert "`more` (or `next`) alone" in more and "next page of your last answer" in more
    for word in ("quit", "exit"):
        text = (await chat.say(f"help {word}")).plain_text()
        assert "`quit` or `exit` ends the chat" in text and "Ctrl-C" in text


def test_a_form_submission_becomes_a_quoted_command():
    from bot.context import split_args
    from bot.reply import Form, FormField, form_command

    form = Form(title="New event", command="event add", fields=[FormField("title", "Title"), FormField("place", "Place")])
    text = form_command(form, {"title": "Obesity & schools: what's next", "place": ""})
    assert split_args(text) == ["event", "add", "title=Obesity & schools: what's next"]


async def test_members_can_be_named_by_stable_id(chat: Chat, core):
    from bot.members.service import find_referenced_member
    from bot.message import Message

    await chat.say("profile", as_user="bob")
    async with core.db.session() as session:
        message = Message(author=chat.author("alice"), text="")
        bob = await find_referenced_member(session, message, "@bob")
        assert bob is not None
        assert (await find_referenced_member(session, message, f"member:{bob.id}")).id == bob.id
        assert await find_referenced_member(session, message, "member:99999") is None
        assert await find_referenced_member(session, message, "@nobody") is None
