"""Digest schedules: parsing, slots in the channel's zone across DST, periods, and the `digest` command."""

from datetime import UTC, datetime

import pytest

from bot.digests.schedule import DigestSpec, next_slot, parse_spec, period_key
from config.errors import UserError
from tests.events_support import jobs, make_member
from tests.support import Chat

WEEKLY_CPH = DigestSpec("weekly", 0, "09:00", "Europe/Copenhagen")


def test_parse_spec_defaults_and_forms():
    assert parse_spec("weekly monday 09:00 Europe/Copenhagen".split(), default_zone=None) == WEEKLY_CPH
    assert parse_spec("weekly on Mondays at 9:00 europe/copenhagen".split(), default_zone=None) == WEEKLY_CPH
    assert parse_spec(["weekly"], default_zone="Europe/Copenhagen") == WEEKLY_CPH
    assert parse_spec("daily 08:30".split(), default_zone=None) == DigestSpec("daily", None, "08:30", "UTC")
    assert parse_spec("monthly tue 10:00 Europe/Oslo".split(), default_zone=None) == DigestSpec(
        "monthly", 1, "10:00", "Europe/Oslo"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "How often"),
        ("fortnightly", "How often"),
        ("daily monday", "A daily digest has no weekday"),
        ("weekly monday 25:00", "not a time of day"),
        ("weekly monday 9am", "not a time of day"),
        ("weekly monday 09:00 Mars/Olympus", "not a time zone I know"),
        ("weekly funday", "not a time zone I know (or not a weekday)"),
        ("weekly monday 09:00 UTC please", "don't know what “please” means"),
    ],
)
def test_parse_spec_errors(text, expected):
    with pytest.raises(UserError) as error:
        parse_spec(text.split(), default_zone=None)
    assert expected in str(error.value)


def test_weekly_slots_keep_local_time_across_daylight_saving():
    # Copenhagen leaves summer time on 25 October 2026: 09:00 local is 07:00 UTC before, 08:00 after.
    first = next_slot(WEEKLY_CPH, datetime(2026, 10, 14, 12, 0, tzinfo=UTC))
    second = next_slot(WEEKLY_CPH, first)
    assert first == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    assert second == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert (period_key(WEEKLY_CPH, first), period_key(WEEKLY_CPH, second)) == ("week:2026-W43", "week:2026-W44")
    # A slot is strictly after: asking at the slot itself gives the next week.
    assert next_slot(WEEKLY_CPH, second) == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_daily_and_monthly_slots():
    daily = DigestSpec("daily", None, "08:30", "America/New_York")
    slot = next_slot(daily, datetime(2026, 11, 2, 14, 0, tzinfo=UTC))  # 09:00 in New York: today's slot passed
    assert slot == datetime(2026, 11, 3, 13, 30, tzinfo=UTC) and period_key(daily, slot) == "day:2026-11-03"
    monthly = DigestSpec("monthly", 1, "10:00", "UTC")  # the first Tuesday
    slot = next_slot(monthly, datetime(2026, 11, 4, tzinfo=UTC))
    assert slot == datetime(2026, 12, 1, 10, 0, tzinfo=UTC) and period_key(monthly, slot) == "month:2026-12"


@pytest.fixture
async def carol(core):
    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")


async def test_schedule_replace_and_turn_off(chat: Chat, core, carol):
    reply = await chat.say("digest schedule weekly monday 09:00", as_user="carol")
    assert reply.tone == "success" and "every Monday at 09:00 Europe/Copenhagen" in reply.text
    assert "Next: Mon 9 Nov 2026, 09:00 Europe/Copenhagen" in reply.text
    (job,) = await jobs(core, "digest:console:console:")
    assert job.status == "pending" and job.due_at == datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    assert job.key == "digest:console:console:week:2026-W46"

    await chat.say("digest schedule daily 07:00 UTC", as_user="carol")
    statuses = {j.key: j.status for j in await jobs(core, "digest:console:console:")}
    assert statuses == {
        "digest:console:console:week:2026-W46": "cancelled",
        "digest:console:console:day:2026-11-03": "pending",
    }
    status = await chat.text("digest", as_user="carol")
    assert "every day at 07:00 UTC" in status and "Next: Tue 3 Nov 2026, 07:00 UTC" in status

    # Back to the first schedule: its job for that week comes back rather than a second one.
    await chat.say("digest schedule weekly monday 09:00", as_user="carol")
    pending = [j.key for j in await jobs(core, "digest:") if j.status == "pending"]
    assert pending == ["digest:console:console:week:2026-W46"]

    off = await chat.say("digest off", as_user="carol")
    assert off.tone == "success"
    assert {j.status for j in await jobs(core, "digest:")} == {"cancelled"}
    assert "no digest schedule" in await chat.text("digest", as_user="carol")
    assert "had no digest schedule" in await chat.text("digest off", as_user="carol")


async def test_schedules_are_per_channel_and_platform(chat: Chat, core, carol):
    await chat.say("digest schedule weekly friday 15:00", as_user="carol", channel="general")
    await chat.say("digest schedule daily 08:00", as_user="carol", channel="research")
    keys = sorted(j.key for j in await jobs(core, "digest:"))
    assert keys == ["digest:console:general:week:2026-W45", "digest:console:research:day:2026-11-03"]


async def test_digest_needs_a_coordinator_and_bad_input_is_explained(chat: Chat, core, carol):
    refused = await chat.say("digest schedule weekly", as_user="tom")
    assert refused.tone == "error" and "`digest` needs the coordinator role" in refused.text
    assert await jobs(core, "digest:") == []
    bad = await chat.say("digest schedule weekly monday 09:00 Mars/Olympus", as_user="carol")
    assert bad.tone == "error" and "not a time zone I know" in bad.text
    unknown = await chat.say("digest sometimes", as_user="carol")
    assert unknown.tone == "error" and "digest preview" in unknown.text


def test_period_keys_read_as_words():
    from bot.digests.schedule import describe_period

    assert describe_period("day:2026-11-09") == "Mon 9 Nov 2026"
    assert describe_period("week:2026-W46") == "week 46, 9–15 Nov 2026"
    assert describe_period("week:2026-W49") == "week 49, 30 Nov–6 Dec 2026"
    assert describe_period("month:2026-12") == "December 2026"
    assert describe_period("manual:2026-11-02T09:00") == "`digest now` on 2 Nov 2026, 09:00 UTC"
    assert describe_period("week:2026-W46b") == "week:2026-W46b"  # unreadable: shown as stored


async def test_digest_history_and_audit_log_name_schedules_in_words(chat: Chat, core, carol, transport):
    await chat.say("digest schedule weekly monday 09:00", as_user="carol")
    await chat.say("digest now", as_user="carol")
    status = await chat.text("digest", as_user="carol")
    assert "`digest now` on 2 Nov 2026, 09:00 UTC: skipped" in status and "manual:" not in status
    log = await chat.text("audit", as_user="admin")
    assert "scheduled the digest of console channel console every Monday at 09:00 Europe/Copenhagen" in log
    assert "posted the digest of console channel console now (empty)" in log
    assert "weekly:0" not in log and "signature" not in log
