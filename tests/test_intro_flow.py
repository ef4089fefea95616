"""Two members through the console chat: request, accept / decline / not now / expiry, follow-up, rating."""

import json
from datetime import timedelta

from tests.intro_support import (
    REASON,
    buttons,
    exchanges,
    introduction,
    job_status,
    transitions,
    with_profiles,
)


async def test_accept_introduces_both_then_follow_up_records_meeting_and_ratings(core, chat, transport, clock):
    await with_profiles(chat, "alice", "bob")
    asked = await chat.say(f"intro @bob {REASON}", as_user="alice")
    assert asked.tone == "success" and "I've asked bob (request #1)" in asked.text

    (request,) = transport.to("bob")
    assert "alice would like to be introduced to you" in request.text
    shown = request.plain_text()
    assert REASON in shown and "Nordhavn Municipality" in shown and "Denmark" in shown
    assert buttons(request) == ["intro accept 1", "intro decline 1", "intro notnow 1"]

    accepted = await chat.say("intro accept 1", as_user="bob", from_button=True)
    assert "started a conversation with you both" in accepted.text
    (group,) = [s for s in transport.sent if s.kind == "group"]
    assert group.target == "alice,bob"
    text = group.reply.plain_text()
    assert "alice, meet bob" in text and "Vestfjord Hospital" in text and "Nordhavn Municipality" in text
    assert REASON in text and "You share an interest in school food" in text
    assert "Municipality and Hospital" in text and "Denmark and Norway" in text

    (exchange,) = await exchanges(core)
    assert exchange.kind == "intro_accepted" and exchange.introduction_id == 1
    assert (exchange.organisation_a, exchange.organisation_b) == ("Nordhavn Municipality", "Vestfjord Hospital")
    assert (exchange.cross_organisation, exchange.cross_sector, exchange.cross_border) == (True, True, True)
    assert await job_status(core, "intro:1:expire") == "cancelled"
    assert await job_status(core, "intro:1:followup") == "pending"

    # Nothing is asked before the follow-up delay; then both are asked.
    transport.sent.clear()
    clock.advance(timedelta(days=core.settings.intro_followup_days) - timedelta(minutes=1))
    assert await core.scheduler.run_due() == 0
    clock.advance(timedelta(minutes=1))
    assert await core.scheduler.run_due() == 1
    assert [s.target for s in transport.sent] == ["alice", "bob"]
    (followup,) = transport.to("alice")
    assert "I introduced you to bob" in followup.text
    assert buttons(followup) == ["intro met 1 yes", "intro met 1 no"] + [f"intro rate 1 {n}" for n in range(1, 6)]

    met = await chat.say("intro met 1 yes", as_user="alice")
    assert "noted that you met" in met.text and "intro rate 1 4" in buttons(met)
    assert "Thanks" in (await chat.say("intro rate 1 5", as_user="alice")).text
    await chat.say("intro rate 1 4", as_user="bob")
    stored = await introduction(core)
    assert stored.state == "met"
    assert (stored.requester_usefulness, stored.target_usefulness, stored.usefulness) == (5, 4, 5)
    assert await transitions(core) == [(None, "requested"), ("requested", "accepted"), ("accepted", "met")]
    assert [e.kind for e in await exchanges(core)] == ["intro_accepted", "meeting_confirmed"]


async def test_decline_is_invisible_to_the_requester_until_the_request_closes(core, chat, transport, clock):
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    declined = await chat.say("intro decline 1", as_user="bob")
    assert "alice won't be told" in declined.text
    assert (await introduction(core)).state == "declined"
    assert transport.to("alice") == []  # no word to the requester now...
    listing = await chat.text("intro list", as_user="alice")
    assert "waiting for an answer" in listing and "declin" not in listing.lower()
    again = await chat.say(f"intro @bob {REASON}", as_user="alice")
    assert again.tone == "error" and "already asked" in again.text

    clock.advance(timedelta(days=core.settings.intro_expiry_days))
    await core.scheduler.run_due()
    (note,) = transport.to("alice")  # ...only the same note an unanswered request gets, when it closes
    assert "closed without an introduction" in note.text and "declin" not in note.plain_text().lower()
    assert "closed without an introduction" in await chat.text("intro list", as_user="alice")
    assert (await introduction(core)).state == "declined"
    assert await exchanges(core) == []
    # Once closed, asking again is allowed.
    assert (await chat.say(f"intro @bob {REASON}", as_user="alice")).tone == "success"


async def test_the_declining_side_still_sees_the_request_it_declined_and_the_requester_still_cannot_tell(
    core, chat, transport, clock
):
    await with_profiles(chat, "alice", "bob", "carol")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say(f"intro @bob {REASON}", as_user="carol")
    await chat.say("intro decline 1", as_user="bob")
    await chat.say("intro notnow 2", as_user="bob")
    bob_sees = await chat.text("intro list", as_user="bob")
    assert "#1 · alice asked to meet you" in bob_sees and "#2 · carol asked to meet you" in bob_sees
    assert bob_sees.count("you said no on Mon 2 Nov 2026") == 2 and "is not told" in bob_sees
    assert REASON not in bob_sees and "intro accept" not in bob_sees  # metadata only; nothing left to answer
    alice_sees = await chat.text("intro list", as_user="alice")
    assert "waiting for an answer" in alice_sees and "said no" not in alice_sees and "declin" not in alice_sees.lower()

    clock.advance(timedelta(days=core.settings.intro_expiry_days))
    await core.scheduler.run_due()
    assert "you said no on" in await chat.text("intro list", as_user="bob")  # still, after it closed
    assert "closed without an introduction" in await chat.text("intro list", as_user="alice")


async def test_a_request_nobody_answered_stays_in_the_targets_list_as_closed(core, chat, clock):
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    clock.advance(timedelta(days=core.settings.intro_expiry_days))
    await core.scheduler.run_due()
    bob_sees = await chat.text("intro list", as_user="bob")
    assert "#1 · alice asked to meet you" in bob_sees and "closed unanswered on Mon 9 Nov 2026" in bob_sees


async def test_unanswered_request_expires_with_a_note_and_cannot_be_accepted_late(core, chat, transport, clock):
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    clock.advance(timedelta(days=core.settings.intro_expiry_days) - timedelta(minutes=1))
    await core.scheduler.run_due()
    assert (await introduction(core)).state == "requested" and transport.to("alice") == []
    clock.advance(timedelta(minutes=1))
    await core.scheduler.run_due()
    (note,) = transport.to("alice")
    assert "has closed without an introduction" in note.text
    assert (await introduction(core)).state == "expired"
    late = await chat.say("intro accept 1", as_user="bob")
    assert "closed" in late.text and "without an answer" in late.text
    assert [s.kind for s in transport.sent] == ["direct", "direct"]  # the request and the note, no introduction
    assert await transitions(core) == [(None, "requested"), ("requested", "expired")]


async def test_the_declined_and_expired_notes_read_the_same(core, chat, transport, clock):
    await with_profiles(chat, "alice", "bob", "carol")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say(f"intro @carol {REASON}", as_user="alice")
    await chat.say("intro decline 1", as_user="bob")
    clock.advance(timedelta(days=core.settings.intro_expiry_days))
    await core.scheduler.run_due()
    declined, expired = transport.to("alice")
    assert declined.text.replace("bob (#1)", "X") == expired.text.replace("carol (#2)", "X")


async def test_not_now_offers_a_pause_which_blocks_new_requests_until_resumed(core, chat, transport, clock):
    await with_profiles(chat, "alice", "bob", "carol")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    later = await chat.say("intro notnow 1", as_user="bob")
    assert (await introduction(core)).state == "declined"
    assert buttons(later) == ["intro pause 2", "intro pause 4"]
    paused = await chat.say("intro pause 2", as_user="bob", from_button=True)
    assert "Mon 16 Nov 2026" in paused.text
    refused = await chat.say(f"intro @bob {REASON}", as_user="carol")
    assert refused.tone == "error" and "bob has paused introduction requests" in refused.text
    assert "Welcome back" in (await chat.say("intro resume", as_user="bob")).text
    assert "weren't paused" in (await chat.say("intro resume", as_user="bob")).text
    assert (await chat.say(f"intro @bob {REASON}", as_user="carol")).tone == "success"


async def test_a_pause_ends_by_itself(core, chat, clock):
    await with_profiles(chat, "alice", "bob")
    await chat.say("intro pause 1", as_user="bob")
    assert (await chat.say(f"intro @bob {REASON}", as_user="alice")).tone == "error"
    clock.advance(timedelta(weeks=1))
    assert (await chat.say(f"intro @bob {REASON}", as_user="alice")).tone == "success"


async def test_saying_not_met_then_met_later_and_a_rating_follows_the_yes(core, chat, transport, clock):
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say("intro accept 1", as_user="bob")
    assert "If you do meet later" in (await chat.say("intro met 1 no", as_user="bob")).text
    assert (await introduction(core)).state == "not_met"
    # The follow-up skips a "no" already given.
    transport.sent.clear()
    clock.advance(timedelta(days=core.settings.intro_followup_days))
    await core.scheduler.run_due()
    assert transport.sent == []
    # A rating does not turn the other side's "no" into a meeting; an explicit yes does.
    refused = await chat.say("intro rate 1 3", as_user="alice")
    assert refused.tone == "error" and "intro met 1 yes" in refused.plain_text()
    assert (await introduction(core)).state == "not_met"
    await chat.say("intro met 1 yes", as_user="alice")
    await chat.say("intro rate 1 3", as_user="alice")
    stored = await introduction(core)
    assert (stored.state, stored.requester_usefulness, stored.usefulness) == ("met", 3, 3)
    assert "keep that" in (await chat.say("intro met 1 no", as_user="bob")).text
    assert await transitions(core) == [
        (None, "requested"), ("requested", "accepted"), ("accepted", "not_met"), ("not_met", "met"),
    ]
    assert [e.kind for e in await exchanges(core)] == ["intro_accepted", "meeting_confirmed"]


async def test_followup_after_an_early_meeting_only_asks_who_has_not_rated(core, chat, transport, clock):
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say("intro accept 1", as_user="bob")
    await chat.say("intro rate 1 4", as_user="alice")
    transport.sent.clear()
    clock.advance(timedelta(days=core.settings.intro_followup_days))
    await core.scheduler.run_due()
    (only,) = transport.sent
    assert only.target == "bob" and "intro met 1 yes" not in buttons(only.reply)
    assert "intro rate 1 5" in buttons(only.reply)


async def test_members_on_different_platforms_each_get_a_direct_introduction(core, chat, transport):
    from bot.message import Author, Message
    from tests.support import RecordingTransport

    discord = RecordingTransport(platform="discord")
    core.register_transport(discord)
    await with_profiles(chat, "alice")
    await core.handle(Message(author=Author("discord", "42", "dana"), text="profile set country Kenya"))
    await chat.say(f"intro dana {REASON}", as_user="alice")  # unknown on the console platform
    reply = await chat.say(f"intro member:2 {REASON}", as_user="alice")
    assert reply.tone == "success"
    (request,) = discord.to("42")
    accept = Message(author=Author("discord", "42", "dana"), text="intro accept 1", from_button=True)
    answer = await core.handle(accept)
    assert "sent each of you an introduction by direct message" in answer.text
    (to_alice,) = transport.to("alice")
    (_, to_dana) = discord.to("42")
    assert "alice, meet dana" in to_alice.text and "discord as dana" in to_alice.plain_text()
    assert "dana, meet alice" in to_dana.text and "console as alice" in to_dana.plain_text()


async def test_request_without_a_reason_opens_a_form_whose_submission_sends_it(core, chat, transport):
    from bot.reply import form_command

    await with_profiles(chat, "alice", "bob")
    ask = await chat.say("intro member:2", as_user="alice", from_button=True)
    assert ask.form is not None and "intro member:2 <your reason>" in ask.text
    assert transport.sent == []
    short = await chat.say("intro member:2 food", as_user="alice", from_button=True)
    assert short.form is not None and "“food” is a bit short" in short.text
    assert short.form.fields[0].value == "food" and ask.form.fields[0].value == ""  # the form starts from it
    submitted = form_command(ask.form, {"reason": "Your school-food evaluation, and how you measured uptake"})
    done = await chat.say(submitted, as_user="alice")
    assert done.tone == "success"
    (request,) = transport.to("bob")
    assert "Why: “Your school-food evaluation, and how you measured uptake”" in request.plain_text()


async def test_a_failing_group_conversation_falls_back_to_direct_messages(core, chat, transport):
    async def broken_group(user_ids, reply):
        raise ConnectionError("platform down")

    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    transport.send_group = broken_group
    answer = await chat.say("intro accept 1", as_user="bob")
    assert "sent each of you an introduction by direct message" in answer.text
    assert "alice, meet bob" in transport.to("alice")[0].text and "bob, meet alice" in transport.to("bob")[1].text
    assert (await introduction(core)).state == "accepted"


async def test_the_requesters_data_export_tells_a_decline_from_silence_no_better_than_the_chat(core, chat, clock):
    await with_profiles(chat, "alice", "bob", "carol")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say(f"intro @carol {REASON}", as_user="alice")
    await chat.say("intro decline 1", as_user="bob")

    async def alices_requests() -> list[dict]:
        (attachment,) = (await chat.say("privacy export", as_user="alice")).attachments
        entries = json.loads(attachment.content)["introductions"]
        return [{key: value for key, value in e.items() if key not in ("introduction_id", "other_member")} for e in entries]

    declined, unanswered = await alices_requests()
    assert declined == unanswered and declined["state"] == "requested" and declined["responded_at"] is None
    assert [(step["to"], step["by"]) for step in declined["history"]] == [("requested", "you")]

    clock.advance(timedelta(days=core.settings.intro_expiry_days))
    await core.scheduler.run_due()
    declined, unanswered = await alices_requests()
    assert declined == unanswered and declined["state"] == "expired"
    assert [(step["to"], step["by"]) for step in declined["history"]] == [("requested", "you"), ("expired", None)]
    # The one who declined still finds their own answer in their export.
    (attachment,) = (await chat.say("privacy export", as_user="bob")).attachments
    (bobs,) = json.loads(attachment.content)["introductions"]
    assert bobs["state"] == "declined" and (bobs["history"][-1]["to"], bobs["history"][-1]["by"]) == ("declined", "you")


async def test_a_data_export_holds_ones_own_rating_not_the_combined_one(core, chat, clock):
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say("intro accept 1", as_user="bob")
    await chat.say("intro met 1 yes", as_user="alice")
    await chat.say("intro rate 1 2", as_user="alice")
    await chat.say("intro rate 1 5", as_user="bob")
    for member, own in (("alice", 2), ("bob", 5)):
        (attachment,) = (await chat.say("privacy export", as_user=member)).attachments
        (entry,) = json.loads(attachment.content)["introductions"]
        assert entry["your_rating"] == own and "usefulness" not in entry


async def test_a_requester_takes_back_a_waiting_request_and_the_other_side_is_told_only_if_they_answer(
    core, chat, transport, clock
):
    await with_profiles(chat, "alice", "bob", "carol")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say(f"intro @carol {REASON}", as_user="alice")
    await chat.say("intro decline 2", as_user="carol")
    sent_before = len(transport.to("bob"))
    taken = await chat.say("intro withdraw 1", as_user="alice")
    assert taken.tone == "success" and "request #1 to bob is taken back" in taken.text
    # Declined, unbeknown to alice: taken back with the same words, so she still cannot tell.
    assert (await chat.say("intro cancel 2", as_user="alice")).text == taken.text.replace("#1 to bob", "#2 to carol")
    assert len(transport.to("bob")) == sent_before  # nothing is sent to the other side
    late = await chat.say("intro accept 1", as_user="bob")
    assert "took request #1 back" in late.text and (await introduction(core, 1)).state == "taken_back"
    assert "you took it back" in await chat.text("intro list", as_user="alice")
    assert "alice took it back" in await chat.text("intro list", as_user="bob")

    clock.advance(timedelta(days=core.settings.intro_expiry_days))
    await core.scheduler.run_due()
    assert transport.to("alice") == []  # no "closed" note for a request she took back herself
    assert (await chat.say(f"intro @bob {REASON}", as_user="alice")).tone == "success"  # asking again is allowed


async def test_only_an_open_request_of_ones_own_can_be_taken_back(core, chat):
    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    assert "I can't find a request #1 of yours" in (await chat.say("intro withdraw 1", as_user="bob")).text
    await chat.say("intro accept 1", as_user="bob")
    accepted = await chat.say("intro withdraw 1", as_user="alice")
    assert accepted.tone == "error" and "already introduced" in accepted.text
    assert "For example `intro withdraw 12`" in (await chat.say("intro withdraw", as_user="alice")).text
