"""Bad input to `intro`: clear messages, nothing stored, nothing sent."""

from sqlalchemy import func, select, update

from bot.members.service import resolve_member
from bot.message import Author
from storage.models import Introduction, Member
from tests.intro_support import REASON, with_profiles


async def count_introductions(core) -> int:
    async with core.db.session() as session:
        return (await session.execute(select(func.count(Introduction.id)))).scalar_one()


async def test_intro_to_yourself_is_refused(core, chat, transport):
    await with_profiles(chat, "alice")
    reply = await chat.say(f"intro @alice {REASON}", as_user="alice")
    assert reply.tone == "error" and "That's you" in reply.text
    # Even without a reason, no form is offered for an impossible request.
    assert (await chat.say("intro @alice", as_user="alice")).form is None
    assert await count_introductions(core) == 0 and transport.sent == []


async def test_intro_to_a_bot_is_refused(core, chat, transport):
    async with core.db.session() as session, session.begin():
        await resolve_member(session, Author("console", "helperbot", "helperbot", is_bot=True))
    reply = await chat.say(f"intro @helperbot {REASON}", as_user="alice")
    assert reply.tone == "error" and "is a bot" in reply.text
    assert await count_introductions(core) == 0 and transport.sent == []


async def test_intro_to_an_unknown_member_is_refused_without_pinging_anyone(core, chat):
    for token in ("@nobody", "member:abc", "<@U999>"):
        reply = await chat.say(f"intro {token} {REASON}", as_user="alice")
        assert reply.tone == "error" and "I don't know a member" in reply.text, token
    # A number, as an old "Introduce me" button sends it: not "they need to have used the bot".
    for reason in (REASON, "I'd like to learn from you about my question: ‘quokka husbandry’"):
        reply = await chat.say(f"intro member:999 {reason}", as_user="alice")
        assert reply.tone == "error" and reply.text.startswith("member:999 is not a member now"), reply.text
        assert "used the bot" not in reply.plain_text()
    reply = await chat.say(f"intro @everyone {REASON}", as_user="alice")
    assert "@everyone" not in reply.text and "@\u200beveryone" in reply.text
    assert await count_introductions(core) == 0


async def test_intro_to_someone_without_consent_is_refused(core, chat, transport):
    await with_profiles(chat, "alice", "bob")
    async with core.db.session() as session, session.begin():
        await session.execute(update(Member).where(Member.display_name == "bob").values(consent_introductions=False))
    reply = await chat.say(f"intro @bob {REASON}", as_user="alice")
    assert reply.tone == "error" and "chosen not to receive introduction requests" in reply.text
    assert transport.sent == []


async def test_paused_member_is_refused_even_before_a_reason_is_asked_for(core, chat):
    await with_profiles(chat, "alice", "bob")
    await chat.say("intro pause 3", as_user="bob")
    for text in (f"intro @bob {REASON}", "intro @bob"):
        reply = await chat.say(text, as_user="alice")
        assert reply.tone == "error" and "paused" in reply.text and reply.form is None


async def test_open_request_limit_and_the_reverse_request_hint(core, chat):
    core.settings.intro_max_open_per_requester = 1
    await with_profiles(chat, "alice", "bob", "carol")
    assert (await chat.say(f"intro @bob {REASON}", as_user="alice")).tone == "success"
    limit = await chat.say(f"intro @carol {REASON}", as_user="alice")
    assert limit.tone == "error" and "the limit is 1" in limit.text
    reverse = await chat.say(f"intro @alice {REASON}", as_user="bob")
    assert reverse.tone == "error" and "intro accept 1" in reverse.text
    assert await count_introductions(core) == 1


async def test_only_the_target_answers_and_only_the_pair_reports_outcomes(core, chat):
    await with_profiles(chat, "alice", "bob", "carol")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    for who in ("alice", "carol"):
        reply = await chat.say("intro accept 1", as_user=who)
        assert reply.tone == "error" and "can't find an introduction request #1" in reply.text
    assert "can't find an introduction request #7" in (await chat.say("intro accept 7", as_user="bob")).text
    assert "didn't go ahead" in (await chat.say("intro met 1 yes", as_user="alice")).text
    await chat.say("intro accept 1", as_user="bob")
    assert "can't find introduction #1" in (await chat.say("intro rate 1 4", as_user="carol")).text


async def test_malformed_subcommands_explain_themselves(core, chat):
    await with_profiles(chat, "alice", "bob", "carol")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say("intro accept 1", as_user="bob")
    cases = {
        "intro accept": "Which introduction?",
        "intro decline abc": "not an introduction number",
        "intro met 1": "Answer yes or no",
        "intro met 1 perhaps": "Answer yes or no",
        "intro rate 1": "from 1 to 5",
        "intro rate 1 7": "from 1 (not useful) to 5",
        "intro rate 1 0": "from 1 (not useful) to 5",
        "intro pause": "how many weeks",
        "intro pause 99": "1 to 52 weeks",
        "intro pause soon": "how many weeks",
    }
    for text, expected in cases.items():
        reply = await chat.say(text, as_user="alice")
        assert reply.tone == "error" and expected.lower() in reply.text.lower(), (text, reply.text)
    too_long = await chat.say("intro @alice " + "x" * 600, as_user="carol")
    assert too_long.tone == "error" and "under 500 characters" in too_long.text


async def test_reasons_cannot_ping_a_channel(core, chat, transport):
    await with_profiles(chat, "alice", "bob")
    await chat.say("intro @bob please tell @here and <!channel> about <@&123> school food", as_user="alice")
    shown = transport.to("bob")[0].plain_text()
    assert "@here" not in shown and "<!channel>" not in shown and "<@&" not in shown
    assert "@\u200bhere" in shown


async def test_empty_list_and_help(core, chat):
    assert "No introductions yet" in (await chat.say("intro", as_user="alice")).text
    detail = await chat.text("help intro", as_user="alice")
    assert "intro pause <weeks>" in detail and "intro rate 12 4" in detail
