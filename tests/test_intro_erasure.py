"""A member who erases their data leaves no introduction request open: theirs, or addressed to them."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.indicators import service as indicators
from storage.models import Introduction, Job
from tests.intro_support import REASON, buttons, exchanges, introduction, job_status, transitions, with_profiles
from tests.support import Chat


async def erase(chat: Chat, name: str) -> None:
    command = (await chat.say("privacy erase", as_user=name)).buttons[0].command
    assert (await chat.say(command, as_user=name)).tone == "success"


async def felix_and_me(chat: Chat) -> None:
    await with_profiles(chat, "alice", "bob")
    await chat.say("profile set name Felix Baumann", as_user="bob")
    await chat.say("profile set name Me Myself", as_user="alice")


async def pending_jobs(core) -> list[str]:
    async with core.db.session() as session:
        return list((await session.execute(select(Job.key).where(Job.status == "pending"))).scalars())


async def indicator_values(core, clock) -> dict:
    async with core.db.session() as session:
        data = await indicators.load_dataset(session, clock.now() + timedelta(days=60))
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return indicators.compute(
        data, start, clock.now() + timedelta(days=60),
        ["intros_requested", "intros_accepted", "acceptance_rate", "exchanges", "intros_met"],
    )


async def test_an_erased_requesters_open_request_cannot_be_accepted(core, chat, transport, clock):
    await felix_and_me(chat)
    asked = await chat.say(f"intro @Felix {REASON}", as_user="alice")
    assert "I've asked Felix Baumann (request #1)" in asked.text
    assert "would like to meet you" in await chat.text("intro list", as_user="bob")

    await erase(chat, "alice")

    stored = await introduction(core)
    assert (stored.state, stored.requester_id, stored.reason) == ("withdrawn", None, None)
    assert (await transitions(core))[-1] == ("requested", "withdrawn")
    assert await job_status(core, "intro:1:expire") == "cancelled"
    listing = await chat.say("intro list", as_user="bob")
    assert "would like to meet you" not in listing.plain_text() and "intro accept 1" not in buttons(listing)

    accepted = await chat.say("intro accept 1", as_user="bob", from_button=True)
    assert accepted.text == "Thanks — but the member who asked has since left, so there is nobody to introduce you to."
    declined = await chat.say("intro decline 1", as_user="bob", from_button=True)
    assert "has since left" in declined.text and "request #1 is closed" in declined.text
    assert "has since left" in (await chat.say("intro notnow 1", as_user="bob")).text

    assert (await introduction(core)).state == "withdrawn"
    assert "introduced" not in await chat.text("intro list", as_user="bob")
    assert await exchanges(core) == []
    assert await pending_jobs(core) == []
    assert await indicator_values(core, clock) == {
        "intros_requested": 1, "intros_accepted": 0, "acceptance_rate": None, "exchanges": 0, "intros_met": 0,
    }
    transport.sent.clear()
    clock.advance(timedelta(days=core.settings.intro_followup_days + core.settings.intro_expiry_days))
    assert await core.scheduler.run_due() == 0
    assert transport.sent == []


async def test_requests_to_an_erased_member_close_alike_whether_answered_or_not(core, chat, transport, clock):
    await with_profiles(chat, "alice", "bob", "carol")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say(f"intro @bob {REASON}", as_user="carol")
    await chat.say("intro decline 2", as_user="bob")  # carol must not be able to tell this one apart

    await erase(chat, "bob")

    assert [(await introduction(core, n)).state for n in (1, 2)] == ["withdrawn", "withdrawn"]
    alice_sees = await chat.text("intro list", as_user="alice")
    carol_sees = await chat.text("intro list", as_user="carol")
    assert "#1 · you asked to meet a former member" in alice_sees and "closed without an introduction" in alice_sees
    assert carol_sees.replace("#2", "#1") == alice_sees
    assert await pending_jobs(core) == []
    # The declined one still counts as declined, as it did before the erasure; the other counts nowhere.
    values = await indicator_values(core, clock)
    assert (values["intros_requested"], values["acceptance_rate"]) == (2, 0)
    transport.sent.clear()
    clock.advance(timedelta(days=core.settings.intro_expiry_days))
    assert await core.scheduler.run_due() == 0
    assert transport.sent == []  # no closing note: `intro list` already shows both closed


async def test_an_introduction_made_before_the_erasure_still_takes_the_meeting_and_ratings(core, chat, clock):
    await felix_and_me(chat)
    await chat.say(f"intro @Felix {REASON}", as_user="alice")
    await chat.say("intro accept 1", as_user="bob")
    await erase(chat, "alice")

    assert (await introduction(core)).state == "accepted"
    assert "introduced" in await chat.text("intro list", as_user="bob")
    assert "noted that you met" in (await chat.say("intro met 1 yes", as_user="bob")).text
    assert "rated introduction #1 4" in (await chat.say("intro rate 1 4", as_user="bob")).text
    assert (await introduction(core)).state == "met"
    assert [e.kind for e in await exchanges(core)] == ["intro_accepted", "meeting_confirmed"]


async def test_a_request_whose_requester_is_already_gone_is_never_accepted(core, chat, transport):
    # A row left open by an erasure that did not close requests: the answer itself refuses it.
    await felix_and_me(chat)
    await chat.say(f"intro @Felix {REASON}", as_user="alice")
    async with core.db.session() as session, session.begin():
        await session.execute(update(Introduction).values(requester_id=None, reason=None))

    accepted = await chat.say("intro accept 1", as_user="bob")
    assert "has since left" in accepted.text
    assert (await introduction(core)).state == "requested"
    assert await exchanges(core) == []
    assert await job_status(core, "intro:1:followup") is None

    assert "would like to meet you" not in await chat.text("intro list", as_user="bob")
    assert (await introduction(core)).state == "withdrawn"
    assert await job_status(core, "intro:1:expire") == "cancelled"
    assert "has since left" in (await chat.say("intro decline 1", as_user="bob")).text
