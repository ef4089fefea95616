"""`intro @Felix Baumann <why>`: a member's whole name of several words is the target, the rest the reason."""

from sqlalchemy import func, select

from storage.models import Introduction, PlatformIdentity
from tests.intro_support import REASON, buttons, introduction
from tests.support import Chat


async def named(chat: Chat, **names: str) -> dict[str, int]:
    """Members who chat as each key, renamed to its value; their member ids by key."""
    for user, name in names.items():
        await chat.say(f"profile set name {name}", as_user=user)
    async with chat.core.db.session() as session:
        rows = await session.execute(
            select(PlatformIdentity.platform_user_id, PlatformIdentity.member_id)
            .where(PlatformIdentity.platform == chat.platform)
        )
        ids = dict(rows.all())
    return {user: ids[user] for user in names}


async def stored_count(core) -> int:
    async with core.db.session() as session:
        return await session.scalar(select(func.count(Introduction.id)))


async def test_a_two_word_name_is_the_target_and_the_rest_the_reason(core, chat, transport):
    ids = await named(chat, bob="Felix Baumann")
    asked = await chat.say("intro @Felix Baumann hello there, I run a pilot", as_user="alice")
    assert asked.tone == "success" and "I've asked Felix Baumann (request #1)" in asked.text
    stored = await introduction(core, 1)
    assert (stored.target_id, stored.reason) == (ids["bob"], "hello there, I run a pilot")

    # Without the @, in other letter cases, and with the name alone (then the reason is asked for).
    await chat.say("intro felix BAUMANN hello again, it is me", as_user="carol")
    assert (await introduction(core, 2)).reason == "hello again, it is me"
    alone = await chat.say("intro @Felix Baumann", as_user="dave")
    assert "Why would you like to meet Felix Baumann?" in alone.text and "is a bit short" not in alone.text
    # The first name alone still names him when nobody else answers to it.
    await chat.say(f"intro @Felix {REASON}", as_user="erin")
    assert (await introduction(core, 3)).reason == REASON


async def test_the_longest_whole_name_wins_and_a_first_name_alone_asks_which(core, chat, transport):
    ids = await named(chat, bob="Anna Berg", carol="Anna Berg Holm")
    await chat.say(f"intro @Anna Berg {REASON}", as_user="alice")
    await chat.say(f"intro @Anna Berg Holm {REASON}", as_user="alice")
    first, second = await introduction(core, 1), await introduction(core, 2)
    assert (first.target_id, first.reason) == (ids["bob"], REASON)
    assert (second.target_id, second.reason) == (ids["carol"], REASON)

    which = await chat.say(f"intro @Anna {REASON}", as_user="dave")
    assert "Which “Anna”" in which.text
    assert buttons(which) == [f"intro member:{ids['bob']} {REASON}", f"intro member:{ids['carol']} {REASON}"]
    assert await stored_count(core) == 2


async def test_two_members_with_the_same_whole_name_are_asked_about(core, chat, transport):
    ids = await named(chat, bob="Felix Baumann", carol="Felix Baumann")
    which = await chat.say("intro @Felix Baumann hello there, I run a pilot", as_user="alice")
    assert buttons(which) == [
        f"intro member:{ids['bob']} hello there, I run a pilot",
        f"intro member:{ids['carol']} hello there, I run a pilot",
    ]
    assert await stored_count(core) == 0


async def test_a_name_nobody_has_is_refused(core, chat, transport):
    await named(chat, bob="Felix Baumann")
    refused = await chat.say("intro @Nobody Baumann hello there, I run a pilot", as_user="alice")
    assert refused.tone == "error" and "I don't know a member “@Nobody Baumann”" in refused.text
    assert await stored_count(core) == 0


async def test_mentions_and_member_ids_name_one_member_whatever_follows(core, chat, transport):
    ids = await named(chat, bob="Felix Baumann", carol="Carol Weber")
    await chat.say(f"intro member:{ids['carol']} Felix Baumann told me about your pilot", as_user="alice")
    assert ((await introduction(core, 1)).target_id, (await introduction(core, 1)).reason) == (
        ids["carol"], "Felix Baumann told me about your pilot",
    )

    slack = Chat(core, platform="slack")
    slack_ids = await named(slack, U0FELIX="Felix Baumann Slack", U0CAROL="Carol Slack")
    await slack.say("intro <@U0CAROL> Felix Baumann Slack told me about you", as_user="U0ANA")
    await slack.say("intro <@U0FELIX|felix> Carol Slack told me about you", as_user="U0ANA")
    assert [((await introduction(core, n)).target_id, (await introduction(core, n)).reason) for n in (2, 3)] == [
        (slack_ids["U0CAROL"], "Felix Baumann Slack told me about you"),
        (slack_ids["U0FELIX"], "Carol Slack told me about you"),
    ]

    discord = Chat(core, platform="discord")
    discord_ids = await named(discord, **{"1001": "Felix Baumann Discord", "1002": "Carol Discord"})
    await discord.say("intro <@1002> Felix Baumann Discord told me about you", as_user="1003")
    await discord.say("intro <@!1001> Carol Discord told me about you", as_user="1003")
    assert [((await introduction(core, n)).target_id, (await introduction(core, n)).reason) for n in (4, 5)] == [
        (discord_ids["1002"], "Felix Baumann Discord told me about you"),
        (discord_ids["1001"], "Carol Discord told me about you"),
    ]


async def test_introduce_me_to_a_name_asks_for_that_member(core, chat, transport):
    ids = await named(chat, bob="Felix Baumann")
    asked = await chat.say("introduce me to Felix Baumann because I run a pilot on obesity medication", as_user="alice")
    assert asked.tone == "success" and "I've asked Felix Baumann" in asked.text, asked.text
    stored = await introduction(core, 1)
    assert (stored.target_id, stored.reason) == (ids["bob"], "because I run a pilot on obesity medication")
    alone = await chat.say("intro me with @Felix Baumann", as_user="carol")
    assert "Why would you like to meet Felix Baumann?" in alone.text


async def test_a_misspelled_name_asks_which_member_was_meant_and_the_button_keeps_the_reason(core, chat):
    ids = await named(chat, bob="Camilla Skov", carol="Felix Baumann")
    near = await chat.say("intro @camila skov about your school meal pilot, please", as_user="alice")
    assert "I don't know a member “camila”. Did you mean:" in near.text
    (only,) = near.sections
    assert "Camilla Skov" in only.text
    (button,) = only.buttons
    assert button.command == f"intro member:{ids['bob']} about your school meal pilot, please"
    assert await stored_count(core) == 0  # a typo never sends a request by itself
    assert (await chat.say(button.command, as_user="alice")).tone == "success"
    # The first name alone, misspelled; nobody close at all: the name as typed, in full.
    assert "Felix Baumann" in (await chat.say("intro @Felx", as_user="alice")).sections[0].text
    nobody = await chat.say("intro Nobody Atall I want to meet this person", as_user="alice")
    assert nobody.tone == "error" and "“Nobody Atall”" in nobody.text


async def test_a_first_name_followed_by_someone_elses_surname_asks_before_sending(core, chat):
    ids = await named(chat, bob="Rasmus Holt")
    doubt = await chat.say("intro Rasmus Holdt COPD monitoring, please", as_user="alice")
    assert "I don't know a member “Rasmus Holdt”. Did you mean:" in doubt.text
    assert doubt.sections[0].buttons[0].command == f"intro member:{ids['bob']} COPD monitoring, please"
    assert await stored_count(core) == 0
    # The first name alone, then the reason: asked as before.
    assert (await chat.say("intro Rasmus I would love to hear about COPD monitoring", as_user="alice")).tone == "success"
