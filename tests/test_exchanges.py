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


async def test_many_concurrent_replies_are_all_stored_once(core, chat: Chat):
    import asyncio

    await setup_members(chat)
    messages = [
        Message(author=chat.author("bob"), text="x", channel_id="C1", message_id=f"m{i}", reply_to=chat.author("alice"))
        for i in range(300)
    ]
    await asyncio.gather(*(core.observe(m) for m in messages + messages[:50]))  # 50 retried deliveries
    rows = await exchanges(core)
    assert len(rows) == 300
    assert len({row.dedupe_key for row in rows}) == 300


async def test_unknown_people_are_not_turned_into_members(core, chat: Chat):
    from sqlalchemy import func

    from storage.models import Member

    await setup_members(chat)
    stranger = Message(author=chat.author("stranger"), text="x", message_id="m9", reply_to=chat.author("alice"))
    await core.observe(stranger)
    async with core.db.session() as session:
        names = (await session.execute(select(Member.display_name))).scalars().all()
        assert "stranger" not in names
        assert (await session.execute(select(func.count(Exchange.id)))).scalar() == 0


async def test_opted_out_members_count_only_by_organisation(core, chat: Chat):
    from storage.models import Member

    await setup_members(chat)
    async with core.db.session() as session, session.begin():
        bob = (await session.execute(select(Member).where(Member.display_name == "bob"))).scalar_one()
        bob.consent_exchange_logging = False
    reply = Message(author=chat.author("bob"), text="x", channel_id="C1", message_id="m5", reply_to=chat.author("alice"))
    await core.observe(reply)
    await core.observe(reply)  # a retried delivery: still one row, without a dedupe key on it
    (row,) = await exchanges(core)
    # A row with a side who opted out names nobody, not even the side who did not (docs/indicators.md).
    assert row.member_b_id is None and row.member_a_id is None
    assert (row.channel_id, row.guild_id, row.dedupe_key, row.introduction_id, row.event_id) == (None,) * 5
    assert row.occurred_at == core.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    assert row.organisation_b == "Vestfjord Hospital" and row.cross_border
