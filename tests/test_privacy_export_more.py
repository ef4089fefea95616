"""`privacy export` holds everything kept about the member: besides profile, introductions, RSVPs and
exchanges, the digest schedules they created, the jobs addressed to them, their saved reply pages and the
events they attended."""

import json
from datetime import UTC, datetime

from storage.models import ReplyPage
from tests.events_support import add_event, make_member, member_id
from tests.intro_support import REASON, with_profiles
from tests.support import Chat


async def export(chat: Chat, name: str) -> dict:
    (attachment,) = (await chat.say("privacy export", as_user=name)).attachments
    return json.loads(attachment.content)


async def test_export_includes_schedules_jobs_reply_pages_and_attendance(core, chat: Chat, clock):
    await make_member(core, "carol", role="coordinator")
    await with_profiles(chat, "alice", "bob")
    scheduled = await chat.say("digest schedule weekly monday 09:00 Europe/Oslo", as_user="carol")
    assert scheduled.tone == "success", scheduled.text
    event_id = await add_event(chat)
    await chat.say(f"event rsvp {event_id} going", as_user="bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    async with core.db.session() as session, session.begin():
        session.add(ReplyPage(id="p" * 32, member_id=await member_id(core, "bob"), pages=[{"text": "page two"}],
                              created_at=clock.now()))
    clock.set(datetime(2026, 12, 3, 13, 30, tzinfo=UTC))  # the event has started
    await chat.say(f"event attended {event_id}", as_user="bob")

    carol = await export(chat, "carol")
    (schedule,) = carol["digest_schedules_created"]
    assert (schedule["frequency"], schedule["weekday"], schedule["time_of_day"], schedule["timezone"]) == (
        "weekly", 0, "09:00", "Europe/Oslo"
    )
    assert carol["jobs_for_you"] == [] and carol["event_attendances"] == []

    bob = await export(chat, "bob")
    assert bob["digest_schedules_created"] == []
    kinds = sorted(job["kind"] for job in bob["jobs_for_you"])
    assert kinds == ["event.reminder", "event.reminder", "intro.expire"], kinds
    assert all("member_id" not in job["details"] for job in bob["jobs_for_you"])
    (page,) = bob["saved_reply_pages"]
    assert page["pages"] == [{"text": "page two"}] and page["last_page_shown"] == 1
    (attended,) = bob["event_attendances"]
    assert attended["event_id"] == event_id and attended["recorded_by"] == "you"
    assert attended["starts_at"] == "2026-12-03T13:00:00+00:00"

    alice = await export(chat, "alice")
    assert [job["kind"] for job in alice["jobs_for_you"]] == ["intro.expire"]  # her request's expiry
    assert alice["saved_reply_pages"] == [] and alice["event_attendances"] == []
