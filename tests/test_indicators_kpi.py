"""`kpi` in chat: coordinators and admins only, headline numbers with the change against the period before."""

from datetime import UTC, datetime

from sqlalchemy import update

from storage.models import Member
from tests.test_indicators_values import store_fixture


async def test_a_member_is_refused_politely(core, chat):
    reply = await chat.say("kpi", as_user="alice")
    assert reply.tone == "error" and "coordinator role" in reply.text
    assert "kpi" not in await chat.text("help", as_user="alice")  # not offered to members either


async def test_a_coordinator_sees_the_week_against_the_week_before(core, chat, clock):
    await store_fixture(core)
    await chat.say("profile", as_user="carla")
    async with core.db.session() as session, session.begin():
        await session.execute(update(Member).where(Member.display_name == "carla").values(role="coordinator"))
    # The last 7 days: 2 Nov 09:00 to 9 Nov 09:00, against 26 Oct 09:00 to 2 Nov 09:00.
    clock.set(datetime(2026, 11, 9, 9, tzinfo=UTC))
    reply = await chat.say("kpi week", as_user="carla")
    assert reply.tone != "error"
    assert "last 7 days (2 Nov 2026 – 9 Nov 2026)" in reply.text
    fields = {f.label: f.value for s in reply.sections for f in s.fields}
    assert fields["Exchanges"] == "6 (+6)"  # none in the week before (#0 is on 20 Oct)
    assert fields["Introductions requested"] == "3 (+1, +50%)"  # I4 (27 Oct) and I1 (30 Oct) before
    assert fields["Cross-border share"] == "67% (no earlier figure)"
    assert fields["Acceptance rate"] == "50% (no earlier figure)"
    assert fields["Introductions accepted"] == "2 (+2)"
    assert fields["New ties"] == "3 (+3)" and fields["Repeat ties"] == "1 (+1)"
    assert fields["Mean usefulness"] == "3.7 / 5 (no earlier figure)"
    assert not any("(new)" in value for value in fields.values())
    (small_print,) = [s.context for s in reply.sections if s.context and s.context.startswith("Definitions")]
    assert small_print.count("“No earlier figure”: that share, mean or median had nothing to count") == 1
    titles = [s.title for s in reply.sections if s.title]
    assert titles == [
        "Immediate value: activity and answers",
        "Potential value: new ties and reach",
        "Applied value: meetings and repeat collaboration",
        "Realised value: self-reported usefulness",
    ]


async def test_kpi_month_and_bad_periods_for_an_admin(core, chat, clock):
    await store_fixture(core)
    clock.set(datetime(2026, 11, 9, 9, tzinfo=UTC))
    month = await chat.say("kpi month", as_user="admin")
    fields = {f.label: f.value for s in month.sections for f in s.fields}
    # The last 30 days start 10 Oct: #0 to #6 are in; I1-I5 requested, I6 (1 Oct) is not.
    assert fields["Exchanges"] == "7 (+7)" and fields["Introductions requested"] == "5 (+4, +400%)"
    bad = await chat.say("kpi fortnight", as_user="admin")
    assert bad.tone == "error" and "kpi month" in bad.text


async def test_kpi_with_nothing_recorded_says_so(core, chat):
    reply = await chat.say("kpi quarter", as_user="admin")
    assert "No exchanges or introductions were recorded in the last 182 days" in reply.text


async def test_kpi_explains_answers_with_a_source_when_there_are_none(core, chat, clock):
    from datetime import timedelta

    from bot.message import Message
    from tests.test_exchanges import setup_members

    await setup_members(chat)
    clock.advance(timedelta(minutes=1))
    await core.observe(Message(author=chat.author("bob"), text="We did it this way", channel_id="C1",
                               message_id="m1", reply_to=chat.author("alice")))
    clock.advance(timedelta(minutes=1))
    reply = await chat.say("kpi", as_user="admin")
    fields = {f.label: f.value for s in reply.sections for f in s.fields}
    assert fields["Answers with a source"].startswith("0")
    assert "none of the 1 answers in these days linked a source" in reply.plain_text()

    # A reply with a link cites a source: the count moves and the note goes.
    await core.observe(Message(author=chat.author("bob"), text="See https://example.org/report.pdf",
                               channel_id="C1", message_id="m2", reply_to=chat.author("alice")))
    clock.advance(timedelta(minutes=1))
    reply = await chat.say("kpi", as_user="admin")
    fields = {f.label: f.value for s in reply.sections for f in s.fields}
    assert fields["Answers with a source"].startswith("1")
    assert "linked a source" not in reply.plain_text()


async def test_a_figure_without_an_earlier_one_reads_the_same_on_every_platform(core, chat, clock):
    from adapters.console import render as console_render
    from adapters.discord.render import render as discord_render
    from adapters.slack.render import render as slack_render
    from tests.slack_limits import visible_text

    await store_fixture(core)
    clock.set(datetime(2026, 11, 9, 9, tzinfo=UTC))
    reply = await chat.say("kpi week", as_user="admin")
    console = console_render(reply)
    slack = visible_text({"blocks": slack_render(reply).blocks})
    discord = "\n".join(
        message.content + "".join(
            f"{embed.title or ''}{embed.description or ''}{embed.footer.text or ''}"
            + "".join(f"{f.name}{f.value}" for f in embed.fields)
            for embed in message.embeds
        )
        for message in discord_render(reply)
    )
    for shown in (console, slack, discord):
        assert "67% (no earlier figure)" in shown and "(new)" not in shown, shown
        assert "No earlier figure" in shown
