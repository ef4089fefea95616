"""The Slack adapter end to end over HTTP: real signed requests in, the Web API calls it makes recorded by a
local fake Slack. Every test runs on SQLite, and on PostgreSQL when configured."""

import asyncio
import re
import time
from datetime import timedelta

from sqlalchemy import func, select

from adapters.slack import SlackAdapter
from bot.app.core import Lighthouse
from bot.message import Author
from bot.reply import Button, Reply, Section
from storage.models import Exchange, Member, PlatformIdentity
from tests.slack_limits import buttons, limit_problems, mrkdwn_strings, visible_text
from tests.slack_support import (
    ALICE,
    BOB,
    BOT_USER,
    CAROL,
    GENERAL,
    TEAM,
    SlackHarness,
    message_event,
    sign,
)

DM_ALICE = "D0ALICE"


def answer_with(monkeypatch, core, replies: dict[str, Reply]) -> list:
    """Let the core answer `replies[text]` for those texts (a command this test needs), as usual otherwise."""
    seen = []
    original = core.handle

    async def handle(message):
        seen.append(message)
        if message.text in replies:
            return replies[message.text]
        return await original(message)

    monkeypatch.setattr(core, "handle", handle)
    return seen


def message_of(call) -> dict:
    return {"text": call.args.get("text"), "blocks": call.args.get("blocks")}


async def slack_member(core, user_id: str) -> Member | None:
    async with core.db.session() as session:
        result = await session.execute(
            select(Member)
            .join(PlatformIdentity)
            .where(PlatformIdentity.platform == "slack", PlatformIdentity.platform_user_id == user_id)
        )
        return result.scalars().first()


# --- entry points ---------------------------------------------------------------------------------------------
async def test_slash_command_is_acked_empty_and_answered_through_response_url(slack, fake_slack, core):
    sent = await slack.command("help")
    assert (sent.status, sent.text) == (200, "")
    await slack.handled(1)
    (answer,) = fake_slack.to("response_url")
    assert answer.args["response_type"] == "in_channel" and answer.args["replace_original"] is False
    assert "Commands" in visible_text(answer.args) and limit_problems(answer.args["blocks"]) == []
    member = await slack_member(core, ALICE)
    assert (member.display_name, member.timezone) == ("Alice Andersen", "Europe/Copenhagen")


async def test_a_bare_slash_command_shows_help(slack, fake_slack):
    await slack.command("")
    await slack.handled(1)
    assert "Commands" in visible_text(fake_slack.to("response_url")[0].args)


async def test_private_answers_to_a_slash_command_are_ephemeral(slack, fake_slack):
    await slack.command("profile")
    await slack.handled(1)
    (answer,) = fake_slack.to("response_url")
    assert answer.args["response_type"] == "ephemeral"
    assert "Alice Andersen" in visible_text(answer.args)


async def test_a_mention_is_answered_in_the_channel_and_in_the_thread_it_was_asked_in(slack, fake_slack):
    await slack.event(
        {
            "type": "app_mention",
            "user": ALICE,
            "text": f"<@{BOT_USER}> help",
            "channel": GENERAL,
            "ts": "1700000001.000100",
        }
    )
    await slack.event(
        {
            "type": "app_mention",
            "user": BOB,
            "text": f"<@{BOT_USER}> help profile",
            "channel": GENERAL,
            "ts": "1700000001.000300",
            "thread_ts": "1700000001.000200",
        }
    )
    await slack.handled(2)
    posts = sorted(fake_slack.to("chat.postMessage"), key=lambda call: call.args.get("thread_ts") or "")
    assert [(p.args["channel"], p.args.get("thread_ts")) for p in posts] == [
        (GENERAL, None),
        (GENERAL, "1700000001.000200"),
    ]
    assert "Commands" in visible_text(posts[0].args) and "profile" in visible_text(posts[1].args)


async def test_a_private_answer_to_a_mention_is_ephemeral_in_that_channel(slack, fake_slack):
    await slack.event(
        {"type": "app_mention", "user": BOB, "text": f"<@{BOT_USER}> profile", "channel": GENERAL, "ts": "1.2"}
    )
    await slack.handled(1)
    (answer,) = fake_slack.to("chat.postEphemeral")
    assert (answer.args["channel"], answer.args["user"]) == (GENERAL, BOB)
    assert "Bob Berg" in visible_text(answer.args)
    assert fake_slack.to("chat.postMessage") == []


async def test_a_direct_message_is_answered_in_the_direct_conversation(slack, fake_slack):
    await slack.event(message_event("profile", channel=DM_ALICE, channel_type="im"))
    await slack.handled(1)
    (answer,) = fake_slack.to("chat.postMessage")  # private, but a DM is private already
    assert answer.args["channel"] == DM_ALICE and "Alice Andersen" in visible_text(answer.args)


async def test_channel_chatter_and_bot_messages_get_no_answer(slack, fake_slack):
    await slack.event(message_event("help", channel=GENERAL, channel_type="channel"))
    await slack.event(message_event("help", channel=DM_ALICE, channel_type="im", bot_id="B0OTHER"))
    await slack.event(message_event("help", channel=DM_ALICE, channel_type="im", subtype="message_changed"))
    await slack.handled(3)
    assert fake_slack.posts() == []


async def test_a_button_click_runs_its_command_as_the_person_who_clicked(slack, fake_slack, core, monkeypatch):
    seen = answer_with(monkeypatch, core, {})
    sent = await slack.click("profile", user=BOB)
    assert sent.status == 200
    await slack.handled(1)
    (answer,) = fake_slack.to("response_url")
    assert answer.args["response_type"] == "ephemeral" and "Bob Berg" in visible_text(answer.args)
    assert seen[0].from_button and seen[0].author.user_id == BOB and seen[0].text == "profile"


async def test_a_public_answer_to_a_click_in_a_thread_stays_in_the_thread(slack, fake_slack):
    await slack.click("help", user=CAROL, thread_ts="1700000001.000200")
    await slack.handled(1)
    (post,) = fake_slack.to("chat.postMessage")
    assert (post.args["channel"], post.args["thread_ts"]) == (GENERAL, "1700000001.000200")


async def test_a_click_on_an_ephemeral_message_is_answered_privately(slack, fake_slack):
    await slack.click("help", user=CAROL, ephemeral=True)
    await slack.handled(1)
    (answer,) = fake_slack.to("response_url")
    assert answer.args["response_type"] == "ephemeral"
    assert fake_slack.to("chat.postMessage") == []


# --- exchange logging -------------------------------------------------------------------------------------------
async def set_profiles(core: Lighthouse) -> None:
    from bot.message import Message

    profiles = {
        ALICE: ["organisation Nordhavn Municipality", "sector municipality", "country DK"],
        BOB: ["organisation Vestfjord Hospital", "sector hospital", "country NO"],
        CAROL: ["organisation Nordhavn Municipality", "sector municipality", "country DK"],
    }
    for user_id, settings in profiles.items():
        for setting in settings:
            author = Author(platform="slack", user_id=user_id, display_name=user_id)
            await core.handle(Message(author=author, text=f"profile set {setting}", is_direct=True))


async def exchange_rows(core) -> list[Exchange]:
    async with core.db.session() as session:
        return (await session.execute(select(Exchange))).scalars().all()


def thread_reply(user: str, parent: str, text: str = "the dose was 5 mg, see our protocol", **extra) -> dict:
    return message_event(
        text,
        user=user,
        channel=GENERAL,
        channel_type="channel",
        thread_ts="1700000050.000001",
        parent_user_id=parent,
        **extra,
    )


async def test_a_thread_reply_across_organisations_is_one_exchange_without_text(slack, fake_slack, core):
    await set_profiles(core)
    event = thread_reply(BOB, ALICE)
    await slack.event(event, event_id="EvREPLY1")
    await slack.event(event, event_id="EvREPLY1", retry_num=1)
    await slack.handled(2)
    (row,) = await exchange_rows(core)
    assert (row.kind, row.platform, row.channel_id, row.guild_id) == ("thread_reply", "slack", GENERAL, TEAM)
    assert (row.cross_organisation, row.cross_sector, row.cross_border) == (True, True, True)
    assert all("dose" not in str(value) for value in row.__dict__.values())
    assert fake_slack.posts() == []  # not addressed to the bot: no answer


async def test_thread_replies_that_are_not_exchanges(slack, fake_slack, core):
    await set_profiles(core)
    await slack.event(thread_reply(CAROL, ALICE))  # same organisation
    await slack.event(thread_reply(BOB, ALICE, text=f"<@{BOT_USER}> help"))  # addressed to the bot
    await slack.event(thread_reply(BOB, BOB))  # own thread
    await slack.handled(3)
    assert await exchange_rows(core) == []


async def test_thread_logging_can_be_switched_off_for_slack(slack, fake_slack, core):
    await set_profiles(core)
    core.settings.slack.thread_logging = False
    await slack.event(thread_reply(BOB, ALICE))
    await slack.handled(1)
    assert await exchange_rows(core) == []
    assert fake_slack.to("users.info") == []  # nothing looked up either


# --- Slack's rules ---------------------------------------------------------------------------------------------
async def test_forged_or_stale_signatures_are_refused_and_nothing_is_processed(slack, fake_slack, core):
    body = slack.command_body("help")
    now = int(time.time())
    forged = await slack.send(body, "application/x-www-form-urlencoded", signature=sign(body, now, secret="guess"))
    stale_time = now - 10 * 60
    stale = await slack.send(
        body, "application/x-www-form-urlencoded", timestamp=stale_time, signature=sign(body, stale_time)
    )
    tampered = await slack.send(body + b"&x=1", "application/x-www-form-urlencoded", signature=sign(body, now))
    event = slack.event_body(message_event("help", channel=DM_ALICE, channel_type="im"))
    forged_event = await slack.send(event, "application/json", signature="v0=" + "0" * 64)
    assert [forged.status, stale.status, tampered.status, forged_event.status] == [401, 401, 401, 401]
    assert fake_slack.calls == [] and slack.adapter.stats["handled"] == 0
    async with core.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 0


async def test_a_retried_event_is_processed_once(slack, fake_slack):
    event = message_event("help", channel=DM_ALICE, channel_type="im")
    first = await slack.event(event, event_id="EvSAME")
    retry = await slack.event(event, event_id="EvSAME", retry_num=1)
    assert (first.status, retry.status) == (200, 200)
    await slack.handled(2)
    assert len(fake_slack.to("chat.postMessage")) == 1
    assert slack.adapter.stats["repeats"] == 1


async def test_two_processes_sharing_the_database_process_a_retried_event_once(slack, fake_slack, core, clock):
    other_core = Lighthouse(core.settings, clock=clock)
    await other_core.start()
    other = SlackAdapter(other_core)
    runner = await other.serve("127.0.0.1", 0)
    other_harness = SlackHarness(
        other, fake_slack, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events", slack.session
    )
    try:
        event = message_event("help", channel=DM_ALICE, channel_type="im")
        await slack.event(event, event_id="EvTWICE")
        await other_harness.event(event, event_id="EvTWICE", retry_num=1)
        await slack.handled(1)
        await other_harness.handled(1)
        assert len(fake_slack.to("chat.postMessage")) == 1
        assert slack.adapter.stats["repeats"] + other.stats["repeats"] == 1
    finally:
        await runner.cleanup()
        await other_core.close()


async def test_a_rate_limited_call_is_retried_after_retry_after(slack, fake_slack):
    fake_slack.rate_limits["chat.postMessage"] = [7]
    await slack.event(message_event("help", channel=DM_ALICE, channel_type="im"))
    await slack.handled(1)
    attempts = fake_slack.to("chat.postMessage")
    assert len(attempts) == 2 and attempts[0].args == attempts[1].args
    assert slack.sleeps == [7.0]  # waited what Slack asked for (through the injected sleep)
    assert slack.adapter.stats["failed"] == 0


async def test_what_users_type_cannot_make_the_bot_broadcast_or_mention(slack, fake_slack):
    await slack.command("<!channel> hello")  # "@channel" typed in Slack arrives as <!channel>
    await slack.command("&lt;!here&gt;")  # "<!here>" typed literally arrives escaped
    await slack.command("<@U0BOB|bob>")
    await slack.command("profile set bio Ping <!here> &amp; <@U0BOB> &lt;@U0CAROL&gt; <!everyone>")
    await slack.handled(4)
    answers = fake_slack.to("response_url")
    assert len(answers) == 4
    for answer in answers:
        for string in mrkdwn_strings(answer.args):
            assert "<" not in string and ">" not in string
            assert not re.search(r"@(channel|here|everyone)\b", string)
    # The four are answered concurrently, so in any order.
    [bio] = [text for text in (visible_text(answer.args) for answer in answers) if "bio" in text]
    assert "&lt;@U0BOB&gt; &lt;@U0CAROL&gt;" in bio and "@\u2060here &amp;" in bio


async def test_a_slow_command_does_not_delay_the_ack(slack, fake_slack, core, monkeypatch):
    entered, release = asyncio.Event(), asyncio.Event()
    original = core.handle

    async def slow_handle(message):
        entered.set()
        await release.wait()  # the command takes as long as the test wants
        return await original(message)

    monkeypatch.setattr(core, "handle", slow_handle)
    sent = await slack.command("help")
    assert sent.status == 200  # answered while the command is still running
    await asyncio.wait_for(entered.wait(), 10)
    assert fake_slack.to("response_url") == []
    release.set()
    await slack.handled(1)
    assert len(fake_slack.to("response_url")) == 1


async def test_a_long_answer_is_paged_and_more_shows_the_rest(slack, fake_slack, core, monkeypatch):
    sections = [
        Section(title=f"Result {n}", text="pilot " * 450, buttons=[Button("Details", f"help {n}")]) for n in range(30)
    ]
    answer_with(monkeypatch, core, {"many": Reply(text="Thirty results", sections=sections)})
    await slack.event(message_event("many", channel=DM_ALICE, channel_type="im"))
    handled = 1
    await slack.handled(handled)
    seen_titles = []
    while True:
        post = fake_slack.to("chat.postMessage")[-1]
        assert post.args["channel"] == DM_ALICE and limit_problems(post.args["blocks"]) == []
        seen_titles += re.findall(r"^\*(Result \d+)\*", visible_text(post.args), flags=re.MULTILINE)
        more = [b["value"] for b in buttons(post.args) if b["value"].startswith("more ")]
        if not more:
            break
        await slack.click(more[0], user=ALICE, channel=DM_ALICE)
        handled += 1
        await slack.handled(handled)
    assert seen_titles == [f"Result {n}" for n in range(30)]
    assert handled > 2


async def test_slack_profiles_are_looked_up_once_and_refreshed_after_an_hour(slack, fake_slack, clock):
    await slack.command("help")
    await slack.command("help profile")
    await slack.handled(2)
    assert [c.args["user"] for c in fake_slack.to("users.info")] == [ALICE]
    clock.advance(timedelta(hours=2))
    await slack.command("help")
    await slack.handled(3)
    assert [c.args["user"] for c in fake_slack.to("users.info")] == [ALICE, ALICE]


async def test_an_unknown_slack_user_still_gets_an_answer(slack, fake_slack, core):
    await slack.command("help", user="U0GHOST")
    await slack.handled(1)
    assert len(fake_slack.to("response_url")) == 1
    assert (await slack_member(core, "U0GHOST")).display_name == "U0GHOST"


async def test_a_user_slack_cannot_look_up_is_asked_about_again_only_after_a_while(slack, fake_slack, clock):
    for count in (1, 2, 3):
        await slack.command("help", user="U0GHOST")
        await slack.handled(count)
    assert [c.args["user"] for c in fake_slack.to("users.info")] == ["U0GHOST"]  # not once per message
    clock.advance(timedelta(minutes=11))
    await slack.command("help", user="U0GHOST")
    await slack.handled(4)
    assert [c.args["user"] for c in fake_slack.to("users.info")] == ["U0GHOST", "U0GHOST"]
