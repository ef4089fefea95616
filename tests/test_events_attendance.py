"""Event attendance: recorded after the start by the member or a coordinator, once per event and member
(across processes), each attendance an `event_attended` exchange (attendee ↔ organiser) that feeds
attendances, ties, reach and brokers as docs/indicators.md says."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.app.core import Lighthouse
from bot.indicators import service as indicators
from bot.indicators.report import build_report
from storage.models import EventAttendance, Exchange, Member
from tests.events_support import add_event, make_member
from tests.support import Chat

STARTS_AT = datetime(2026, 12, 3, 13, tzinfo=UTC)  # the obesity event: 14:00 in Copenhagen
AFTER = datetime(2026, 12, 4, 9, tzinfo=UTC)
PROFILES = {
    "carol": ("Sund University", "research", "SE"),  # the coordinator who organises the event
    "ana": ("Kilo Apps", "digital_developer", "DK"),
    "ben": ("Vestfjord Hospital", "hospital", "NO"),
    "dan": ("Nordhavn Municipality", "municipality", "DK"),
}


@pytest.fixture
async def people(core, chat: Chat):
    await make_member(core, "carol", role="coordinator")
    for name in ("ana", "ben", "dan", "eve"):  # eve has no profile
        await make_member(core, name)
    for name, (organisation, sector, country) in PROFILES.items():
        for field, value in (("organisation", organisation), ("sector", sector), ("country", country)):
            await chat.say(f"profile set {field} {value}", as_user=name)


async def rsvped_event(chat: Chat) -> int:
    event_id = await add_event(chat)
    for name, status in (("ana", "going"), ("ben", "going"), ("dan", "interested")):
        assert (await chat.say(f"event rsvp {event_id} {status}", as_user=name)).tone == "success"
    return event_id


async def attendance_rows(core) -> list[Exchange]:
    async with core.db.session() as session:
        return list(
            (await session.execute(select(Exchange).where(Exchange.kind == "event_attended").order_by(Exchange.id)))
            .scalars()
        )


async def attendances(core) -> int:
    async with core.db.session() as session:
        return (await session.execute(select(func.count(EventAttendance.id)))).scalar_one()


async def test_attendance_is_recorded_once_and_written_as_exchanges_with_the_organiser(core, chat, people, clock):
    event_id = await rsvped_event(chat)
    early = await chat.say(f"event attended {event_id}", as_user="ana")
    assert early.tone == "error" and "has not started yet" in early.text
    assert (await chat.say(f"event attendance {event_id} confirm", as_user="carol")).tone == "error"
    clock.set(AFTER)

    confirmed = await chat.say(f"event attendance {event_id} confirm", as_user="carol")
    assert confirmed.tone == "success" and "Recorded 2 people" in confirmed.text, confirmed.text
    assert "ana and ben" in confirmed.text
    again = await chat.say(f"event attendance {event_id} confirm", as_user="carol")
    assert "Nothing new" in again.text and "Already recorded: ana and ben" in again.text
    own = await chat.say(f"event attended {event_id}", as_user="ana")
    assert "already recorded" in own.text
    assert "you attended" in (await chat.say(f"event attended {event_id}", as_user="dan")).text
    named = await chat.say(f"event attendance {event_id} @eve @ben", as_user="carol")
    assert "Recorded 1 person" in named.text and "eve" in named.text and "Already recorded: ben" in named.text
    assert await attendances(core) == 4

    rows = await attendance_rows(core)
    assert len(rows) == 4
    assert [(r.organisation_a, r.sector_a, r.country_a) for r in rows] == [
        ("Kilo Apps", "digital_developer", "DK"),
        ("Vestfjord Hospital", "hospital", "NO"),
        ("Nordhavn Municipality", "municipality", "DK"),
        (None, None, None),  # eve: no profile
    ]
    assert {(r.organisation_b, r.sector_b, r.country_b) for r in rows} == {("Sund University", "research", "SE")}
    assert {r.occurred_at for r in rows} == {STARTS_AT} and {r.event_id for r in rows} == {event_id}

    listing = await chat.text(f"event attendance {event_id}", as_user="carol")
    assert "Attended: 4 from 2 countries and 3 sectors" in listing  # DK, NO

    # The figures, by hand: 4 attendances; attendee sectors digital developer, hospital, municipality (eve's
    # unknown); three new ties to Sund University; Sund links three organisations that are not tied to each
    # other and differ in sector: one broker.
    async with core.db.session() as session:
        data = await indicators.load_dataset(session, AFTER)
    week = datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC)
    values = indicators.compute(data, *week)
    assert (values["event_attendances"], values["event_attendance_sectors"]) == (4, 3)
    assert (values["new_ties"], values["reach_organisations"], values["brokers"]) == (3, 4, 1)
    assert values["reach_countries"] == 3 and values["cross_border_share"] == 0.75  # eve's side: unknown
    report = build_report(data, *week, period="week", generated_at=AFTER)
    assert report.totals["event_attendances"] == 4 and report.totals["event_attendance_sectors"] == 3

    kpi = await chat.say("kpi", as_user="carol")
    fields = {f.label: f.value for s in kpi.sections for f in s.fields}
    assert fields["Event attendances"] == "4 (+4)" and fields["Sectors among event attendees"] == "3 (+3)"


async def test_an_opted_out_attendees_exchange_leads_nowhere(core, chat, people, clock):
    event_id = await rsvped_event(chat)
    await chat.say("privacy consent exchange-logging off", as_user="ben")
    clock.set(AFTER)
    await chat.say(f"event attendance {event_id} confirm", as_user="carol")
    ana_row, ben_row = await attendance_rows(core)
    assert ana_row.event_id == event_id and ana_row.member_a_id is not None
    # No event id (a tiny event's attendance list would give him back), no member ids, only the day.
    assert (ben_row.event_id, ben_row.member_a_id, ben_row.member_b_id, ben_row.dedupe_key) == (None,) * 4
    assert ben_row.occurred_at == datetime(2026, 12, 3, tzinfo=UTC)
    assert ben_row.organisation_a == "Vestfjord Hospital" and ben_row.organisation_b == "Sund University"


async def test_names_must_all_be_known_and_members_cannot_record_others(core, chat, people, clock):
    event_id = await rsvped_event(chat)
    clock.set(AFTER)
    unknown = await chat.say(f"event attendance {event_id} @ana @nobody", as_user="carol")
    assert unknown.tone == "error" and "“nobody”" in unknown.text and "nothing was recorded" in unknown.text
    refused = await chat.say(f"event attendance {event_id} confirm", as_user="ana")
    assert refused.tone == "error" and "coordinator" in refused.text
    assert await attendances(core) == 0
    await chat.say(f"event cancel {event_id}", as_user="carol")  # over already: refused, stays scheduled
    missing = await chat.say("event attended 99", as_user="ana")
    assert missing.tone == "error" and "no event #99" in missing.text
    assert await attendance_rows(core) == []


async def test_recording_at_once_from_two_processes_stores_each_attendance_once(core, chat, people, clock, settings):
    event_id = await rsvped_event(chat)
    clock.set(AFTER)
    other = Lighthouse(settings, clock=clock)
    await other.start()
    try:
        second = Chat(other)
        await asyncio.gather(
            chat.say(f"event attendance {event_id} confirm", as_user="carol"),
            second.say(f"event attendance {event_id} confirm", as_user="carol"),
            chat.say(f"event attended {event_id}", as_user="ana"),
            second.say(f"event attended {event_id}", as_user="ana"),
            second.say(f"event attended {event_id}", as_user="ben"),
        )
    finally:
        await other.close()
    assert await attendances(core) == 2
    assert len(await attendance_rows(core)) == 2


async def test_the_help_and_event_show_offer_attendance(core, chat, people, clock):
    event_id = await rsvped_event(chat)
    help_text = await chat.text("help event", as_user="carol")
    assert "event attended ID" in help_text and "event attendance ID confirm" in help_text
    clock.set(AFTER)
    shown = await chat.say(f"event show {event_id}", as_user="carol")
    commands = [b.command for s in shown.sections for b in s.buttons]
    assert f"event attended {event_id}" in commands and f"event attendance {event_id}" in commands
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(Member.id)))).scalar_one() >= 5


async def test_erasing_an_attendee_removes_the_attendance_and_keeps_the_count(core, chat, people, clock):
    from bot.privacy.erasure import erase_member
    from tests.events_support import member_id

    event_id = await rsvped_event(chat)
    clock.set(AFTER)
    await chat.say(f"event attendance {event_id} confirm", as_user="carol")
    ana = await member_id(core, "ana")
    async with core.db.session() as session, session.begin():
        await erase_member(session, ana, clock.now())
    assert await attendances(core) == 1  # ben's
    rows = await attendance_rows(core)
    assert len(rows) == 2 and rows[0].organisation_a == "Kilo Apps" and rows[0].member_a_id is None
    assert rows[0].event_id is None and rows[0].occurred_at == datetime(2026, 12, 3, tzinfo=UTC)
