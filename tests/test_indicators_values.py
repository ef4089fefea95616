"""Indicator values against a small fixture whose expected numbers were worked out by hand.

Organisations: NM = Nordhavn Municipality (municipality, DK), VH = Vestfjord Hospital (hospital, NO),
SU = Sund University (research, SE), KA = Kilo Apps (digital developer, DK).
The window is the ISO week 2026-W45: Mon 2 Nov 00:00 to Mon 9 Nov 00:00 UTC.
"""

from datetime import UTC, datetime

import pytest

from bot.indicators import service as indicators
from bot.indicators.exchanges import record_exchange
from bot.indicators.measures import headline_indicators
from storage.models import Introduction, IntroductionTransition

NM = {"organisation": "Nordhavn Municipality", "sector": "municipality", "country": "DK"}
VH = {"organisation": "Vestfjord Hospital", "sector": "hospital", "country": "NO"}
SU = {"organisation": "Sund University", "sector": "research", "country": "SE"}
KA = {"organisation": "Kilo Apps", "sector": "digital_developer", "country": "DK"}
UNKNOWN_DK = {"organisation": None, "sector": None, "country": "DK"}

WEEK_START = datetime(2026, 11, 2, tzinfo=UTC)
WEEK_END = datetime(2026, 11, 9, tzinfo=UTC)


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


EXCHANGES = [
    # (kind, when, side a, side b, with a source)
    ("thread_reply", at(10, 20), NM, VH, False),  # #0, before the week: NM–VH already tied
    ("thread_reply", at(11, 2), NM, VH, False),  # #1 border yes, sector yes, repeat tie
    ("question_answered", at(11, 3), NM, SU, True),  # #2 border yes, sector yes, new tie, with source
    ("intro_accepted", at(11, 4), KA, NM, False),  # #3 border no, sector yes, new tie
    ("event_attended", at(11, 5), KA, SU, False),  # #4 border yes, sector yes, new tie; attendee KA
    ("event_attended", at(11, 5), UNKNOWN_DK, SU, False),  # #5 border yes, sector unknown, no tie
    ("meeting_confirmed", at(11, 6), KA, NM, False),  # #6 border no, sector yes, same tie as #3
    ("thread_reply", at(11, 10), VH, SU, False),  # #7, after the week
]

# (requester, target, transitions as (state, when), ratings (requester, target))
INTRODUCTIONS = [
    (NM, VH, [("requested", at(10, 30)), ("accepted", at(11, 2, 13)), ("met", at(11, 6))], (5, 4)),  # I1: 73 h
    (KA, NM, [("requested", at(11, 3)), ("accepted", at(11, 3, 18))], (None, None)),  # I2: 6 h
    (SU, NM, [("requested", at(11, 3)), ("declined", at(11, 4))], (None, None)),  # I3
    (VH, SU, [("requested", at(10, 27)), ("expired", at(11, 3))], (None, None)),  # I4
    (NM, SU, [("requested", at(11, 5))], (None, None)),  # I5, still open
    (SU, KA, [("requested", at(10, 1)), ("accepted", at(10, 2)), ("met", at(11, 4))], (2, None)),  # I6
]


async def store_fixture(core) -> None:
    async with core.db.session() as session, session.begin():
        for number, (kind, when, a, b, source) in enumerate(EXCHANGES):
            await record_exchange(session, kind=kind, occurred_at=when, a=None, b=None, a_snapshot=a, b_snapshot=b,
                                  with_source=source, dedupe_key=f"fixture:{number}")
        for requester, target, steps, (rating_a, rating_b) in INTRODUCTIONS:
            intro = Introduction(requester_snapshot=requester, target_snapshot=target, state=steps[-1][0],
                                 requested_at=steps[0][1], requester_usefulness=rating_a, target_usefulness=rating_b)
            session.add(intro)
            await session.flush()
            previous = None
            for state, when in steps:
                session.add(
                    IntroductionTransition(introduction_id=intro.id, from_state=previous, to_state=state, at=when)
                )
                previous = state


async def dataset(core) -> indicators.Dataset:
    async with core.db.session() as session:
        return await indicators.load_dataset(session, datetime(2027, 1, 1, tzinfo=UTC))


EXPECTED_WEEK = {
    "exchanges": 6,  # #1-#6
    "cross_border_share": 4 / 6,  # #1, #2, #4, #5
    "cross_sector_share": 5 / 6,  # all but #5
    "cross_organisation_share": 5 / 6,  # all but #5
    "answers": 2,  # #1 thread reply, #2 question answered
    "answers_with_source": 1,  # #2
    "event_attendances": 2,  # #4, #5
    "event_attendance_sectors": 1,  # KA's digital developer; #5's attendee sector is unknown
    "intros_requested": 3,  # I2, I3, I5
    "new_ties": 3,  # NM–SU, KA–NM, KA–SU
    "reach_organisations": 4,  # NM, VH, SU, KA
    "reach_sectors": 4,
    "reach_countries": 3,  # DK, NO, SE
    "brokers": 1,  # NM links KA and VH (not tied; sectors differ); SU's and KA's neighbours are tied
    "intros_accepted": 2,  # I1, I2
    "acceptance_rate": 0.5,  # 2 accepted / (2 + I3 declined + I4 expired)
    "median_hours_to_accept": 39.5,  # median of 73 h and 6 h
    "intros_met": 2,  # I1 (6 Nov), I6 (4 Nov)
    "repeat_ties": 1,  # NM–VH, tied on 20 Oct
    "ratings": 3,  # 5 and 4 (I1), 2 (I6)
    "mean_usefulness": 11 / 3,
    "useful_share": 2 / 3,  # 5 and 4
}


async def test_every_indicator_for_one_week_matches_the_hand_computed_value(core):
    await store_fixture(core)
    values = indicators.compute(await dataset(core), WEEK_START, WEEK_END)
    assert set(values) == set(EXPECTED_WEEK)
    for key, expected in EXPECTED_WEEK.items():
        assert values[key] == pytest.approx(expected), key


async def test_breakdown_by_country_recomputes_over_what_touches_that_country(core):
    await store_fixture(core)
    norway = (await dataset(core)).touching("country", "NO")
    values = indicators.compute(norway, WEEK_START, WEEK_END)
    # Exchanges touching NO in the week: #1 only (#0 is before, #7 after). Introductions: I1 and I4.
    assert values["exchanges"] == 1 and values["cross_border_share"] == 1.0
    assert (values["new_ties"], values["repeat_ties"]) == (0, 1)
    assert (values["reach_organisations"], values["reach_countries"]) == (2, 2)
    assert (values["intros_requested"], values["intros_accepted"]) == (0, 1)
    assert values["acceptance_rate"] == 0.5  # I1 accepted, I4 expired
    assert values["median_hours_to_accept"] == 73
    assert (values["intros_met"], values["mean_usefulness"]) == (1, 4.5)


async def test_breakdown_by_sector_and_brokerage_within_it(core):
    await store_fixture(core)
    research = (await dataset(core)).touching("sector", "research")
    values = indicators.compute(research, WEEK_START, WEEK_END)
    # #2 NM–SU, #4 KA–SU, #5 ?–SU; no research exchange before the week.
    assert values["exchanges"] == 3 and values["cross_border_share"] == 1.0
    assert (values["new_ties"], values["repeat_ties"]) == (2, 0)
    # Without the KA–NM exchange (no research side), SU links KA and NM, which differ in sector.
    assert values["brokers"] == 1
    assert values["intros_requested"] == 2  # I3 (SU asks NM), I5 (NM asks SU)
    assert values["acceptance_rate"] == 0.0  # I3 declined, I4 expired, nothing accepted
    assert (values["intros_met"], values["ratings"], values["mean_usefulness"]) == (1, 1, 2.0)  # I6


async def test_an_empty_window_has_zero_counts_and_no_shares(core):
    await store_fixture(core)
    december = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC)
    values = indicators.compute(await dataset(core), *december)
    assert values["exchanges"] == 0 and values["new_ties"] == 0 and values["intros_requested"] == 0
    assert values["cross_border_share"] is None and values["acceptance_rate"] is None
    assert values["median_hours_to_accept"] is None and values["mean_usefulness"] is None
    assert values["repeat_ties"] == 0


async def test_the_week_after_sees_the_new_ties_as_repeat_ones(core):
    await store_fixture(core)
    values = indicators.compute(await dataset(core), WEEK_END, datetime(2026, 11, 16, tzinfo=UTC))
    # Only #7 VH–SU, a first contact.
    assert (values["exchanges"], values["new_ties"], values["repeat_ties"]) == (1, 1, 0)


async def test_headline_indicators_for_digests(core):
    await store_fixture(core)
    async with core.db.session() as session:
        headline = await headline_indicators(session, WEEK_START, WEEK_END)
    assert [m.key for m in headline] == list(indicators.HEADLINE_KEYS)
    shown = {m.key: m.display for m in headline}
    assert shown["exchanges"] == "6" and shown["cross_border_share"] == "67%"
    assert shown["median_hours_to_accept"] == "39.5 h" and shown["mean_usefulness"] == "3.7 / 5"


async def test_live_introductions_feed_the_indicators(core, chat, clock):
    from datetime import timedelta

    from tests.intro_support import REASON, with_profiles

    await with_profiles(chat, "alice", "bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    clock.advance(timedelta(hours=5))
    await chat.say("intro accept 1", as_user="bob")
    await chat.say("intro rate 1 4", as_user="alice")
    today = clock.now() - timedelta(days=1), clock.now() + timedelta(seconds=1)
    values = indicators.compute(await dataset(core), *today)
    assert (values["intros_requested"], values["intros_accepted"], values["intros_met"]) == (1, 1, 1)
    assert values["median_hours_to_accept"] == 5 and values["ratings"] == 1
    assert values["exchanges"] == 2 and values["new_ties"] == 1  # intro accepted + meeting confirmed, one tie


async def test_a_side_without_its_own_sector_or_country_takes_its_organisations(core, chat, clock):
    """A member who named a known organisation (a municipality in Denmark) but left sector and country empty
    counts as that organisation's sector and country: their introduction to a hospital in Norway crosses both."""
    from datetime import timedelta

    from storage.lookups import get_or_create_organisation
    from tests.intro_support import REASON

    async with core.db.session() as session, session.begin():
        await get_or_create_organisation(session, "Nordhavn Municipality", sector="municipality", country="DK")
    await chat.say("profile set organisation Nordhavn Municipality", as_user="alice")
    for field, value in (("organisation", "Vestfjord Hospital"), ("sector", "hospital"), ("country", "Norway")):
        await chat.say(f"profile set {field} {value}", as_user="bob")
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say("intro accept 1", as_user="bob")
    today = clock.now() - timedelta(days=1), clock.now() + timedelta(seconds=1)
    values = indicators.compute(await dataset(core), *today)
    assert values["exchanges"] == 1
    assert values["cross_sector_share"] == 1 and values["cross_border_share"] == 1
