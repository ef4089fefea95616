"""Wrong data that was once shown or counted, each case on SQLite and PostgreSQL (the `core` fixture).

- a rating after "we did not meet" made a meeting of it (and `kpi` counted it);
- one request showed two different closing dates to the same person;
- chatting as a login handle renamed the member it belongs to; two members answering to one name were
  confused; a second request to someone already introduced made a second introduction.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.indicators import service as indicators
from storage.models import Introduction, Member, Organisation, PlatformIdentity
from tests.intro_support import REASON, buttons, introduction, transitions, with_profiles
from tests.test_indicators_values import dataset


async def test_a_rating_after_did_not_meet_is_refused_and_kpi_counts_no_meeting(core, chat, clock):
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say("intro accept 1", as_user="bob")
    await chat.say("intro met 1 no", as_user="alice")

    refused = await chat.say("intro rate 1 2", as_user="alice")
    assert refused.tone == "error"
    assert "not met (yet)" in refused.text and "intro met 1 yes" in refused.plain_text()
    stored = await introduction(core)
    assert (stored.state, stored.requester_usefulness, stored.usefulness) == ("not_met", None, None)
    assert await transitions(core) == [(None, "requested"), ("requested", "accepted"), ("accepted", "not_met")]

    listing = await chat.say("intro list", as_user="alice")
    assert "not met (yet)" in listing.plain_text() and "you met" not in listing.plain_text()
    assert "your rating" not in listing.plain_text()
    # The list offers "We met" and no rating buttons: a rating is for a meeting.
    assert buttons(listing) == ["intro met 1 yes"]

    window = clock.now() - timedelta(days=1), clock.now() + timedelta(seconds=1)
    values = indicators.compute(await dataset(core), *window)
    assert (values["intros_accepted"], values["intros_met"], values["ratings"]) == (1, 0, 0)
    clock.advance(timedelta(minutes=1))  # windows are half-open: "now" itself is not yet in the last 7 days
    kpi = await chat.say("kpi week", as_user="admin")
    fields = {f.label: f.value for s in kpi.sections for f in s.fields}
    assert fields["Introductions accepted"].startswith("1")
    assert fields["Introductions that led to a meeting"].startswith("0")


async def test_the_closing_time_is_one_instant_shown_in_each_readers_zone(core, chat, transport, clock):
    await with_profiles(chat, "alice", "bob")
    await chat.say("profile set timezone Pacific/Auckland", as_user="alice")  # UTC+13 in November
    await chat.say("profile set timezone America/Los_Angeles", as_user="bob")  # UTC-8
    clock.set(datetime(2026, 11, 2, 20, 0, tzinfo=UTC))  # closes 9 Nov 20:00 UTC: two different days
    transport.sent.clear()

    asked = await chat.say(f"intro @bob {REASON}", as_user="alice")
    # Each zone as its reader set it, as events name it (an abbreviation such as IST names three zones).
    alices = "Tue 10 Nov 2026, 09:00 Pacific/Auckland"
    bobs = "Mon 9 Nov 2026, 12:00 America/Los_Angeles"
    assert alices in asked.plain_text()
    assert alices in await chat.text("intro list", as_user="alice")
    assert alices in (await chat.say(f"intro @bob {REASON}", as_user="alice")).plain_text()  # "already asked"
    (request,) = transport.to("bob")
    assert bobs in request.plain_text()
    assert bobs in await chat.text("intro list", as_user="bob")
    stored = await introduction(core)
    assert stored.expires_at == datetime(2026, 11, 9, 20, 0, tzinfo=UTC)

    # Someone without a time zone reads UTC, and is told so.
    await chat.say("profile clear timezone", as_user="alice")
    assert "Mon 9 Nov 2026, 20:00 UTC" in await chat.text("intro list", as_user="alice")


async def _demo_expert(core, handle: str, name: str, organisation: str, country: str) -> int:
    """A member as the demo's expert profiles create them: a console account named after the profile."""
    async with core.db.session() as session, session.begin():
        org = Organisation(name=organisation, name_key=organisation.lower(), country=country)
        member = Member(display_name=name, role="expert", country=country, expertise=[], interests=[],
                        organisation=org)
        member.identities.append(PlatformIdentity(platform="console", platform_user_id=handle, display_name=name))
        session.add(member)
        await session.flush()
        return member.id


async def test_chatting_as_a_handle_never_renames_the_member_it_belongs_to(core, chat):
    camilla = await _demo_expert(core, "camilla-skov", "Camilla Skov", "Region Vestkyst", "DK")
    reply = await chat.say("profile", as_user="camilla-skov")
    fields = {f.label: f.value for s in reply.sections for f in s.fields}
    assert fields["Name"] == "Camilla Skov" and fields["Organisation"] == "Region Vestkyst"
    async with core.db.session() as session:
        member = await session.get(Member, camilla)
        assert member.display_name == "Camilla Skov"
        assert [i.display_name for i in member.identities] == ["Camilla Skov"]
        assert await session.scalar(select(func.count(Member.id))) == 1  # linked by identity, not a new member


async def test_a_platform_rename_still_follows_but_a_missing_name_does_not(core):
    from bot.message import Author, Message

    def said(name: str) -> Message:
        return Message(author=Author("slack", "U1", name), text="profile", is_direct=True)

    await core.handle(said("Ana"))
    await core.handle(said("Ana Lopes"))  # renamed in Slack: followed
    await core.handle(said("U1"))  # the profile could not be read: the handle is not a name
    async with core.db.session() as session:
        assert await session.scalar(select(Member.display_name)) == "Ana Lopes"


async def test_a_name_two_members_answer_to_asks_which_one_with_their_organisations(core, chat, transport):
    kamau = await _demo_expert(core, "wanjiru-kamau", "Wanjiru Kamau", "Kisumu County Health", "KE")
    await with_profiles(chat, "alice")
    await chat.say("profile", as_user="wanjiru")  # the README's `--as wanjiru`: a member called "wanjiru"
    async with core.db.session() as session:
        local = await session.scalar(select(Member.id).where(Member.display_name == "wanjiru"))

    which = await chat.say(f"intro @wanjiru {REASON}", as_user="alice")
    shown = which.plain_text()
    assert "Which “wanjiru”" in which.text
    assert f"Wanjiru Kamau (Kisumu County Health, Kenya; member:{kamau})" in shown
    assert f"wanjiru (member:{local})" in shown
    assert buttons(which) == [f"intro member:{kamau} {REASON}", f"intro member:{local} {REASON}"]
    async with core.db.session() as session:
        assert await session.scalar(select(func.count(Introduction.id))) == 0  # nothing guessed

    asked = await chat.say(f"intro member:{kamau} {REASON}", as_user="alice", from_button=True)
    assert asked.tone == "success" and "Wanjiru Kamau" in asked.text
    # The local "wanjiru" naming "wanjiru" means the other one: never yourself.
    mine = await chat.say(f"intro @wanjiru {REASON}", as_user="wanjiru")
    assert mine.tone == "success" and "Wanjiru Kamau" in mine.text

    # The same question for an admin's role change, and the audit log tells them apart.
    role = await chat.say("role grant @wanjiru coordinator", as_user="admin")
    assert buttons(role) == [f"role grant member:{kamau} coordinator", f"role grant member:{local} coordinator"]
    await chat.say(f"role grant member:{local} coordinator", as_user="admin", from_button=True)
    async with core.db.session() as session:
        roles = dict((await session.execute(select(Member.id, Member.role))).all())
    assert (roles[local], roles[kamau]) == ("coordinator", "expert")
    log = await chat.text("audit", as_user="admin")
    assert f"wanjiru (member:{local})" in log and "Wanjiru Kamau (" not in log


async def test_a_second_request_to_someone_already_introduced_answers_with_that_introduction(core, chat):
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say("intro accept 1", as_user="bob")
    for asker, other in (("alice", "@bob"), ("bob", "@alice")):  # whichever of them asks
        again = await chat.say(f"intro {other} {REASON}", as_user=asker)
        assert again.tone != "error"
        assert "already introduced" in again.text and "introduction #1" in again.text
        assert buttons(again) == ["intro met 1 yes"]
    # Even with too short a reason, or while the other has paused requests.
    later = datetime(2030, 1, 1, tzinfo=UTC)
    paused = update(Member).where(Member.display_name == "bob").values(intro_paused_until=later)
    async with core.db.session() as session, session.begin():
        await session.execute(paused)
    assert "introduction #1" in (await chat.say("intro @bob hi", as_user="alice")).text
    await chat.say("intro met 1 yes", as_user="alice")
    met = await chat.say(f"intro @bob {REASON}", as_user="alice")
    assert "You told me you met" in met.text and buttons(met) == []
    async with core.db.session() as session:
        assert await session.scalar(select(func.count(Introduction.id))) == 1


async def test_a_request_still_open_is_said_before_asking_for_a_reason(core, chat):
    """`intro @bob` with no reason, while a request to (or from) bob is open: the answer says so at once,
    instead of asking for a reason the request could never use."""
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    again = await chat.say("intro @bob", as_user="alice")
    assert "You already asked to meet bob" in again.text and "Why would you like" not in again.text
    back = await chat.say("intro @alice", as_user="bob")
    assert "Why would you like" not in back.text and "alice" in back.text
    async with core.db.session() as session:
        assert await session.scalar(select(func.count(Introduction.id))) == 1
