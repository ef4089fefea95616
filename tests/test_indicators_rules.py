"""The rules docs/indicators.md decides for the cases the definitions alone left open: an organisation whose
members give different sectors, breakdown rows with only declined or expired introductions, and exchange
rows of members who switched exchange logging off, which must not lead back to them."""

from datetime import UTC, datetime, timedelta
from itertools import permutations

from sqlalchemy import select

from bot.indicators import service as indicators
from bot.indicators.exchanges import LINKING_COLUMNS
from bot.indicators.report import build_report
from bot.indicators.service import Dataset, ExchangeRecord, IntroductionRecord, Side
from bot.message import Message
from storage.models import Exchange, Introduction, IntroductionTransition, Member
from tests.intro_support import REASON, with_profiles
from tests.support import Chat

DAY = datetime(2026, 11, 3, 12, tzinfo=UTC)
WEEK = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC)

O = Side("Oslo Hub", "research", "NO")
A = Side("Aarhus Kommune", "municipality", "DK")


def c_as(sector: str) -> Side:
    """Copenhagen Care: members who give different sectors for the same organisation."""
    return Side("Copenhagen Care", sector, "DK")


def brokers_in_every_order(exchanges: list[ExchangeRecord]) -> set[tuple[str, ...]]:
    return {tuple(indicators.brokers(list(order))) for order in permutations(exchanges)}


def test_an_organisation_takes_its_most_frequent_sector_whatever_the_row_order():
    # O is tied to A and to C; A and C are not tied. C's members give "municipality" twice and "hospital"
    # once, all at the same moment: C is a municipality in Denmark like A, so O brokers nothing.
    rows = [
        ExchangeRecord("thread_reply", DAY, O, A),
        ExchangeRecord("thread_reply", DAY, O, c_as("municipality")),
        ExchangeRecord("thread_reply", DAY, c_as("municipality"), O),
        ExchangeRecord("thread_reply", DAY, O, c_as("hospital")),
    ]
    assert brokers_in_every_order(rows) == {()}
    assert indicators.organisation_profiles(rows)["Copenhagen Care"] == c_as("municipality")


def test_a_tie_between_sectors_goes_to_the_first_alphabetically():
    rows = [
        ExchangeRecord("thread_reply", DAY, O, A),
        ExchangeRecord("thread_reply", DAY, O, c_as("municipality")),
        ExchangeRecord("thread_reply", DAY, O, c_as("hospital")),
    ]
    # "hospital" < "municipality": C differs from A in sector, so O links two different groups.
    assert brokers_in_every_order(rows) == {("Oslo Hub",)}
    assert indicators.organisation_profiles(rows)["Copenhagen Care"].sector == "hospital"


def test_a_country_with_only_a_declined_or_expired_introduction_gets_a_breakdown_row():
    finland = Side("Helsinki Food Lab", "sme", "FI")
    estonia = Side("Tartu Clinic", "hospital", "EE")
    data = Dataset(
        [ExchangeRecord("thread_reply", DAY, O, A)],
        [
            # Requested before the week, declined in it; requested before, expired in it.
            IntroductionRecord(DAY - timedelta(days=20), finland, A, declined_at=DAY),
            IntroductionRecord(DAY - timedelta(days=20), estonia, O, expired_at=DAY),
        ],
    )
    assert data.values("country", *WEEK) == ["DK", "EE", "FI", "NO"]
    assert data.values("sector", *WEEK) == ["hospital", "municipality", "research", "sme"]
    report = build_report(data, *WEEK, period="week", generated_at=WEEK[1])
    finnish = report.breakdowns["country"]["FI"]
    assert finnish["exchanges"][1] == 0 and finnish["cross_border_share"][1] is None
    assert finnish["intros_accepted"][1] == 0 and finnish["acceptance_rate"][1] == 0.0


# --- no way back from an exchange row to a member who opted out ------------------------------------------


async def opt_out(core, name: str) -> None:
    async with core.db.session() as session, session.begin():
        member = (await session.execute(select(Member).where(Member.display_name == name))).scalar_one()
        member.consent_exchange_logging = False


async def rows(core) -> list[Exchange]:
    async with core.db.session() as session:
        return list((await session.execute(select(Exchange).order_by(Exchange.id))).scalars())


async def transition_times(core) -> set[datetime]:
    async with core.db.session() as session:
        return set((await session.execute(select(IntroductionTransition.at))).scalars())


def assert_unlinked(row: Exchange) -> None:
    assert all(getattr(row, column) is None for column in LINKING_COLUMNS), {
        column: getattr(row, column) for column in LINKING_COLUMNS
    }
    assert row.occurred_at.time() == datetime.min.time()  # the day only


async def test_an_opted_out_members_introduction_leaves_no_row_that_joins_back(core, chat: Chat, clock):
    await with_profiles(chat, "alice", "bob")
    await opt_out(core, "bob")
    clock.advance(timedelta(hours=3, minutes=17))
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    clock.advance(timedelta(minutes=41))
    await chat.say("intro accept 1", as_user="bob", from_button=True)
    clock.advance(timedelta(hours=2))
    await chat.say("intro met 1 yes", as_user="alice")
    accepted, met = await rows(core)
    assert (accepted.kind, met.kind) == ("intro_accepted", "meeting_confirmed")
    for row in (accepted, met):
        assert_unlinked(row)  # no introduction id, no member id of either side, no dedupe key
        assert row.organisation_b == "Vestfjord Hospital" and row.cross_border  # still counted
    # Nor does the time match the introduction's transitions.
    assert not {accepted.occurred_at, met.occurred_at} & await transition_times(core)
    async with core.db.session() as session:
        intro = await session.get(Introduction, 1)
    assert intro.state == "met"  # the introduction itself is the members' own record, as before


async def test_switching_logging_off_unlinks_rows_already_written(core, chat: Chat, clock):
    await with_profiles(chat, "alice", "bob")
    clock.advance(timedelta(hours=5, minutes=3))
    await chat.say(f"intro @bob {REASON}", as_user="alice")
    await chat.say("intro accept 1", as_user="bob", from_button=True)
    await core.observe(
        Message(author=chat.author("alice"), text="x", channel_id="C7", message_id="m1", reply_to=chat.author("bob"))
    )
    before = await rows(core)
    assert before[0].introduction_id == 1 and before[1].dedupe_key is not None  # linked while both consent
    await chat.say("privacy consent exchange-logging off", as_user="bob")
    after = await rows(core)
    assert len(after) == 2
    for row in after:
        assert_unlinked(row)
    assert not {row.occurred_at for row in after} & await transition_times(core)
