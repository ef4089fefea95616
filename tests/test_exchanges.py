from sqlalchemy import select

from bot.message import Author, Message
from storage.models import Exchange
from tests.support import Chat


async def setup_members(chat: Chat):
    await chat.say("profile set organisation Nordhavn Municipality", as_user="alice")
    await chat.say("profile set sector municipality", as_user="alice")
    await chat.say("profile set country DK", as_user="alice")
    await chat.say("profile set organisation Vestfjord Hospital", as_user="bob")
    await chat.say("profile set sector hospital", as_user="bob")
    await chat.say("profile set country NO", as_user="bob")
    await chat.say("profile set organisation Nordhavn Municipality", as_user="carol")


async def exchanges(core):
    async with core.db.session() as session:
        return (await session.execute(select(Exchange))).scalars().all()


async def test_a_reply_across_organisations_is_one_exchange_without_text(core, chat: Chat):
    await setup_members(chat)
    reply = Message(
        author=chat.author("bob"),
        text="secret clinical detail",
        channel_id="C1",
        message_id="m1",
        reply_to=chat.author("alice"),
    )
    await core.observe(reply)
    await core.observe(reply)  # a retried delivery
    (row,) = await exchanges(core)
    assert row.kind == "thread_reply"
    assert (row.cross_organisation, row.cross_sector, row.cross_border) == (True, True, True)
    assert (row.country_a, row.country_b) == ("DK", "NO")
    assert all("secret" not in str(value) for value in row.__dict__.values())


async def test_replies_within_one_organisation_or_to_bots_are_not_exchanges(core, chat: Chat):
    await setup_members(chat)
    await core.observe(Message(author=chat.author("carol"), text="x", message_id="m2", reply_to=chat.author("alice")))
    bot = Author(platform="console", user_id="helper-bot", display_name="bot", is_bot=True)
    await core.observe(Message(author=chat.author("bob"), text="x", message_id="m3", reply_to=bot))
    assert await exchanges(core) == []


async def test_logging_can_be_switched_off(core, chat: Chat):
    await setup_members(chat)
    core.settings.exchange_logging = False
    await core.observe(Message(author=chat.author("bob"), text="x", message_id="m4", reply_to=chat.author("alice")))
    assert await exchanges(core) == []
