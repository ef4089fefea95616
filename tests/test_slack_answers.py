"""Where Slack answers go: modals for forms, direct messages, files, fallbacks, and the core's transport."""

import json
import logging

import pytest

from slack_sdk.models.views import View
from sqlalchemy import select

from bot.message import Author, Message
from bot.reply import Attachment, Form, FormField, Reply
from storage.models import Member, PlatformIdentity
from tests.slack_limits import buttons, limit_problems, visible_text
from tests.slack_support import ALICE, BOB, BOT_USER, CAROL, GENERAL, TEAM, message_event
from tests.test_slack_http import answer_with

EVENT_FORM = Form(
    title="New event",
    command="event add",
    fields=[
        FormField("title", "Title", placeholder="Kick-off meeting"),
        FormField("start", "Start", placeholder="2026-11-20 14:00"),
        FormField("notes", "Notes", multiline=True, required=False),
    ],
    submit_label="Create",
)
FORM_REPLY = Reply(text="Usage: event add title=... start=... [notes=...]", form=EVENT_FORM)


def submission(view: dict, user: str, values: dict[str, str | None]) -> dict:
    state = {name: {"value": {"type": "plain_text_input", "value": value}} for name, value in values.items()}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": "trigger-submit",
        "view": {**view, "id": "V0001", "state": {"values": state}},
    }


async def opened_event_form(slack, fake_slack, core, monkeypatch) -> dict:  # noqa: ANN001
    """`/lighthouse event add` answered with the event form: the modal Slack was asked to open."""
    answer_with(monkeypatch, core, {"event add": FORM_REPLY})
    await slack.command("event add", trigger_id="trigger-123")
    await slack.handled(1)
    (opened,) = fake_slack.to("views.open")
    return opened.args["view"]


async def test_a_form_opens_as_a_modal_and_its_submission_runs_the_command_as_the_submitter(
    slack, fake_slack, core, monkeypatch
):
    answer_with(monkeypatch, core, {"event add": FORM_REPLY})
    await slack.command("event add", trigger_id="trigger-123")
    await slack.handled(1)
    (opened,) = fake_slack.to("views.open")
    assert opened.args["trigger_id"] == "trigger-123"
    view = opened.args["view"]
    View(**view).validate_json()
    assert [block["block_id"] for block in view["blocks"]] == ["title", "start", "notes"]
    assert fake_slack.to("response_url") == []  # the modal replaces the usage text

    created = "event add title='Kick-off meeting' start='2026-11-20 14:00'"
    seen = answer_with(
        monkeypatch, core, {created: Reply(text="Event created: Kick-off meeting", private=True, tone="success")}
    )
    sent = await slack.interact(
        submission(view, BOB, {"title": "Kick-off meeting", "start": "2026-11-20 14:00", "notes": None})
    )
    assert sent.status == 200 and sent.text == ""  # an empty ack closes the modal
    await slack.handled(2)
    assert [(m.text, m.author.user_id, m.channel_id) for m in seen] == [(created, BOB, GENERAL)]
    (answer,) = fake_slack.to("chat.postEphemeral")
    assert (answer.args["channel"], answer.args["user"]) == (GENERAL, BOB)
    assert "Event created" in visible_text(answer.args)


async def test_a_form_answer_reaches_the_submitter_directly_when_the_bot_cannot_post_in_the_channel(
    slack, fake_slack, core, monkeypatch
):
    view = await opened_event_form(slack, fake_slack, core, monkeypatch)
    fake_slack.closed_channels.add(GENERAL)
    answer_with(monkeypatch, core, {"event add title=x start=y": Reply(text="Event created: x", tone="success")})
    await slack.interact(submission(view, ALICE, {"title": "x", "start": "y"}))
    await slack.handled(2)
    (dm,) = fake_slack.to("conversations.open")
    assert dm.args["users"] == ALICE
    assert fake_slack.to("chat.postMessage")[-1].args["channel"] == "D0ALICE"


async def test_a_form_asked_for_in_a_mention_comes_with_a_button_that_opens_it(slack, fake_slack, core, monkeypatch):
    answer_with(monkeypatch, core, {"event add": FORM_REPLY})
    await slack.event(
        {"type": "app_mention", "user": ALICE, "text": f"<@{BOT_USER}> event add", "channel": GENERAL, "ts": "1.5"}
    )
    await slack.handled(1)
    (post,) = fake_slack.to("chat.postMessage")
    assert "Usage: event add" in visible_text(post.args)
    (open_form,) = [b for b in buttons(post.args) if b["text"]["text"] == "Open the form"]
    await slack.click(open_form["value"], user=ALICE)
    await slack.handled(2)
    (opened,) = fake_slack.to("views.open")
    assert json.loads(opened.args["view"]["private_metadata"])["c"] == "event add"


async def test_a_direct_reply_goes_to_the_askers_dm_with_a_note_where_they_asked(slack, fake_slack, core, monkeypatch):
    answer_with(monkeypatch, core, {"my data": Reply(text="Here is what I hold about you.", direct=True)})
    await slack.event(
        {"type": "app_mention", "user": ALICE, "text": f"<@{BOT_USER}> my data", "channel": GENERAL, "ts": "1.6"}
    )
    await slack.handled(1)
    assert fake_slack.to("conversations.open")[0].args["users"] == ALICE
    (dm,) = fake_slack.to("chat.postMessage")
    assert dm.args["channel"] == "D0ALICE" and "what I hold" in visible_text(dm.args)
    (note,) = fake_slack.to("chat.postEphemeral")
    assert note.args["user"] == ALICE and "direct message" in visible_text(note.args)


async def test_a_direct_reply_the_dm_refuses_is_shown_to_the_asker_alone_where_they_asked(
    slack, fake_slack, core, monkeypatch
):
    answer_with(monkeypatch, core, {"my data": Reply(text="Here is what I hold about you.", direct=True)})
    fake_slack.closed_channels.add("D0ALICE")
    await slack.event(
        {"type": "app_mention", "user": ALICE, "text": f"<@{BOT_USER}> my data", "channel": GENERAL, "ts": "1.7"}
    )
    await slack.handled(1)
    (note,) = fake_slack.to("chat.postEphemeral")
    assert (note.args["channel"], note.args["user"]) == (GENERAL, ALICE)
    shown = visible_text(note.args)
    assert "couldn't send you a direct message" in shown and "what I hold" in shown
    assert slack.adapter.stats["failed"] == 0


async def test_files_from_a_slash_command_are_uploaded_into_the_askers_dm(slack, fake_slack, core, monkeypatch):
    csv = b"period,exchanges\n2026-10,12\n"
    reply = Reply(text="Your report", attachments=[Attachment("kpi.csv", csv, "text/csv")])
    answer_with(monkeypatch, core, {"kpi export": reply})
    await slack.command("kpi export")
    await slack.handled(1)
    assert "Your report" in visible_text(fake_slack.to("response_url")[0].args)
    (asked,) = fake_slack.to("files.getUploadURLExternal")
    assert (asked.args["filename"], int(asked.args["length"])) == ("kpi.csv", len(csv))
    (completed,) = fake_slack.to("files.completeUploadExternal")
    assert completed.args["channel_id"] == "D0ALICE"
    assert list(fake_slack.uploads.values()) == [csv]


async def test_files_slack_refuses_to_deliver_directly_are_one_log_line_and_a_note_to_the_asker(
    slack, fake_slack, core, monkeypatch, caplog
):
    reply = Reply(text="Your report", attachments=[Attachment("kpi.csv", b"period\n", "text/csv")])
    answer_with(monkeypatch, core, {"kpi export": reply})
    fake_slack.dm_refusals[ALICE] = "cannot_dm_bot"
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        await slack.command("kpi export")
        await slack.handled(1)
    _one_clear_line(caplog, "cannot_dm_bot")
    answer, note = fake_slack.to("response_url")
    assert "Your report" in visible_text(answer.args)
    assert note.args["response_type"] == "ephemeral"
    assert "couldn't send you kpi.csv" in visible_text(note.args)
    assert fake_slack.uploads == {}
    assert slack.adapter.stats["failed"] == 0


async def test_files_in_a_direct_conversation_are_uploaded_there(slack, fake_slack, core, monkeypatch):
    reply = Reply(text="Calendar file", attachments=[Attachment("event.ics", b"BEGIN:VCALENDAR\r\n", "text/calendar")])
    answer_with(monkeypatch, core, {"ics": reply})
    await slack.event(message_event("ics", channel="D0ALICE", channel_type="im", thread_ts="1700000000.000009"))
    await slack.handled(1)
    (completed,) = fake_slack.to("files.completeUploadExternal")
    assert (completed.args["channel_id"], completed.args["thread_ts"]) == ("D0ALICE", "1700000000.000009")


async def test_a_public_answer_to_a_click_where_the_bot_is_not_a_member_goes_through_the_clicks_response_url(
    slack, fake_slack
):
    fake_slack.closed_channels.add("C0CLOSED")
    await slack.click("help", user=BOB, channel="C0CLOSED")  # "More" under a page there, say
    await slack.handled(1)
    assert [p.args["channel"] for p in fake_slack.to("chat.postMessage")] == ["C0CLOSED"]  # refused; no DM
    (answer,) = fake_slack.to("response_url")
    assert answer.args["response_type"] == "in_channel" and "Commands" in visible_text(answer.args)
    assert slack.adapter.stats["failed"] == 0


# --- the core's transport ------------------------------------------------------------------------------------
async def test_the_core_reaches_slack_members_through_the_transport(slack, fake_slack, core):
    transport = core.transports["slack"]
    reference = await transport.send_channel(GENERAL, Reply(text="Digest"), thread_id="1700000000.000001")
    assert reference.startswith(f"{GENERAL}:")
    group = await transport.send_group([ALICE, BOB], Reply(text="Meet each other"))
    assert fake_slack.to("conversations.open")[-1].args["users"] == f"{ALICE},{BOB}"
    assert group.startswith("G")
    posts = fake_slack.to("chat.postMessage")
    assert [p.args.get("thread_ts") for p in posts] == ["1700000000.000001", None]
    assert all(limit_problems(p.args["blocks"]) == [] for p in posts)

    author = Author(platform="slack", user_id=BOB, display_name="Bob Berg")
    await core.handle(Message(author=author, text="profile", is_direct=True))  # Bob becomes a member
    async with core.db.session() as session:
        bob = (
            (
                await session.execute(
                    select(Member).join(PlatformIdentity).where(PlatformIdentity.platform_user_id == BOB)
                )
            )
            .scalars()
            .one()
        )
    assert await core.notify(bob, Reply(text="You have an introduction request"))
    assert fake_slack.to("conversations.open")[-1].args["users"] == BOB
    assert fake_slack.to("chat.postMessage")[-1].args["channel"] == "D0BOB"


async def test_a_mention_in_an_intro_reason_reaches_the_other_side_as_a_name(slack, fake_slack):
    await slack.command("profile", user=BOB)  # Bob becomes a member
    await slack.handled(1)  # before the request names him: the adapter handles two members' commands side by side
    await slack.command(f"intro <@{BOB}|bob> please meet me about <@{ALICE}|alice> diabetes prevention", user=CAROL)
    await slack.handled(2)
    (request,) = [p for p in fake_slack.to("chat.postMessage") if p.args["channel"] == "D0BOB"]
    shown = visible_text(request.args)
    assert "please meet me about @Alice Andersen diabetes prevention" in shown, shown
    assert ALICE not in shown


# --- direct messages Slack refuses ------------------------------------------------------------------------
async def _member(core, user_id: str, name: str) -> Member:
    await core.handle(Message(author=Author("slack", user_id, name), text="profile", is_direct=True))
    async with core.db.session() as session:
        return (
            await session.execute(
                select(Member).join(PlatformIdentity).where(PlatformIdentity.platform_user_id == user_id)
            )
        ).scalars().one()


def _one_clear_line(caplog, error: str) -> None:
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert error in lines[0].getMessage() and lines[0].exc_info is None and lines[0].exc_text is None


@pytest.mark.parametrize("error", ["cannot_dm_bot", "user_not_found", "not_allowed_token_type", "user_disabled"])
async def test_a_direct_message_slack_refuses_is_one_log_line_and_not_delivered(slack, fake_slack, core, caplog, error):
    bob = await _member(core, BOB, "Bob Berg")
    fake_slack.dm_refusals[BOB] = error
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert await core.notify(bob, Reply(text="You have an introduction request")) is False
        assert await core.tell(bob, Reply(text="Alice accepted your introduction.")) is False
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 2 and all(error in r.getMessage() and r.exc_info is None for r in lines)
    assert not [p for p in fake_slack.to("chat.postMessage") if p.args["channel"] == "D0BOB"]
    del fake_slack.dm_refusals[BOB]
    assert await core.notify(bob, Reply(text="You have an introduction request")) is True  # DMs open again


async def test_a_rate_limit_that_outlasts_the_retries_is_one_log_line_and_not_delivered(slack, fake_slack, core, caplog):
    bob = await _member(core, BOB, "Bob Berg")
    fake_slack.rate_limits["conversations.open"] = [1, 1, 1, 1]  # one more than the client retries
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert await core.notify(bob, Reply(text="Reminder: the event starts in an hour")) is False
    _one_clear_line(caplog, "ratelimited")
    assert slack.sleeps == [1, 1, 1]


async def test_an_introduction_request_slack_cannot_deliver_says_so(slack, fake_slack, core, caplog):
    await slack.command("profile", user=BOB)  # Bob becomes a member
    await slack.handled(1)
    fake_slack.dm_refusals[BOB] = "cannot_dm_bot"
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        await slack.command(f"intro <@{BOB}|bob> I would like to hear about your school meals pilot", user=CAROL)
        await slack.handled(2)
    answer = visible_text(fake_slack.to("response_url")[-1].args)
    assert "I couldn't message them" in answer, answer
    _one_clear_line(caplog, "cannot_dm_bot")
    assert slack.adapter.stats["failed"] == 0


async def test_an_introduction_whose_group_dm_slack_refuses_goes_to_each_directly(slack, fake_slack, core, caplog):
    await slack.command("profile", user=BOB)
    await slack.handled(1)
    await slack.command(f"intro <@{BOB}|bob> I would like to hear about your school meals pilot", user=CAROL)
    await slack.handled(2)
    fake_slack.group_refusal = "not_allowed_token_type"
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        await slack.click("intro accept 1", user=BOB, channel="D0BOB")
        await slack.handled(3)
    _one_clear_line(caplog, "not_allowed_token_type")
    channels = [p.args["channel"] for p in fake_slack.to("chat.postMessage")]
    # Bob: the request, his introduction, the thanks; Carol: her introduction; no group conversation
    assert sorted(channels) == ["D0BOB", "D0BOB", "D0BOB", "D0CAROL"], channels
    answer = visible_text(fake_slack.posts()[-1].args)
    assert "Thanks for accepting" in answer and "direct message" in answer, answer
    assert slack.adapter.stats["failed"] == 0


async def test_a_question_of_only_emoji_as_slack_writes_them_has_no_word_to_search_by(slack, fake_slack):
    """Slack sends emoji as `:pizza:` in the text: they are no words, neither after a mention nor in a command."""
    await slack.event({"type": "app_mention", "user": ALICE, "text": f"<@{BOT_USER}> :pizza: :tada:", "channel": GENERAL,
                       "ts": "1.9"})
    await slack.handled(1)
    await slack.command(":+1::skin-tone-2: :pizza:")
    await slack.handled(2)
    shown = [visible_text(call.args) for call in fake_slack.posts()]
    assert len(shown) == 2 and all("no word I can search by" in text for text in shown), [
        (c.method, visible_text(c.args)[:80]) for c in fake_slack.calls]
    assert not any("matches this well" in text or "Best matches" in text for text in shown)


async def test_a_refused_form_submission_keeps_the_modal_open_with_what_was_typed_and_why(
    slack, fake_slack, core, monkeypatch
):
    view = await opened_event_form(slack, fake_slack, core, monkeypatch)
    typed = "event add title='Kick-off meeting' start='yesterday 10:00'"
    answer_with(monkeypatch, core, {typed: Reply(text="“yesterday 10:00” is in the past.", tone="error")})
    sent = await slack.interact(submission(view, BOB, {"title": "Kick-off meeting", "start": "yesterday 10:00", "notes": None}))
    assert sent.status == 200
    again = json.loads(sent.text)
    assert again["response_action"] == "update"
    View(**again["view"]).validate_json()
    problem, *fields = again["view"]["blocks"]
    assert "is in the past" in problem["text"]["text"]
    assert [(f["block_id"], f["element"].get("initial_value")) for f in fields] == [
        ("title", "Kick-off meeting"), ("start", "yesterday 10:00"), ("notes", None)
    ]
    assert again["view"]["private_metadata"] == view["private_metadata"]  # the next submission runs the same command
    await slack.handled(2)
    assert fake_slack.to("chat.postEphemeral") == [] and fake_slack.to("chat.postMessage") == []


def test_a_form_that_opens_for_a_reason_says_it_above_its_fields():
    from adapters.slack.render import form_view

    form = Form(title="Introduction request", command="intro member:7", note="“hello” is a bit short.",
                fields=[FormField("reason", "Why would you like to meet Ana?", value="hello")])
    view = form_view(form, {"c": form.command, "f": ["reason"]})
    View(**view).validate_json()
    note, field = view["blocks"]
    assert "is a bit short" in note["text"]["text"] and field["element"]["initial_value"] == "hello"
