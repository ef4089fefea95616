"""Recording knowledge-transfer exchanges: who (organisation, sector, country), never what was said."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.lookups import lock_members
from storage.models import Exchange, Introduction, Member

# The kinds of exchange written today. A feature that records a new kind names it here, writes it with
# `record_exchange`, and adds the indicators that count it in `bot.indicators.service.INDICATORS`.
THREAD_REPLY = "thread_reply"  # passive logging: a reply to a member of another organisation
QUESTION_ANSWERED = "question_answered"
INTRO_ACCEPTED = "intro_accepted"  # a = requester, b = the person introduced
MEETING_CONFIRMED = "meeting_confirmed"  # the same pair, once they say they met
EVENT_ATTENDED = "event_attended"  # a = the attendee, b = the event's organiser
COMMUNITY_ANSWER = "community_answer"  # a = who asked, b = who answered (bot.community)
ANSWER_KINDS = frozenset({QUESTION_ANSWERED, THREAD_REPLY, COMMUNITY_ANSWER})

# What in an exchange row leads back to a person, directly (member ids) or through one join (the
# introduction or event it came from, the platform message its dedupe key names, the channel). A row with
# a side who opted out of exchange logging keeps none of them, and only the day it happened: its exact
# time would match the introduction's transition or the message it came from.
LINKING_COLUMNS = ("member_a_id", "member_b_id", "introduction_id", "event_id", "channel_id", "guild_id",
                   "dedupe_key")


def unlinked_day(moment: datetime) -> datetime:
    """The UTC midnight starting the day of `moment`: all an opted-out side's exchange keeps of its time."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


async def linkable_sides(
    session: AsyncSession, a: Member | None, b: Member | None
) -> tuple[Member | None, Member | None, bool]:
    """The two sides as they stand now, and whether a row may link them (both consent to exchange logging;
    a side without a member, erased or only a snapshot, has nobody to link). Their rows are held first
    (`lock_members`, shared), so a member switching exchange logging off, or being erased, at the same
    moment either committed before and is read here, or waits for this write and then unlinks it."""
    ids = [member.id for member in (a, b) if member is not None]
    if not ids:
        return a, b, True
    await lock_members(session, ids, shared=True)
    consent = dict(
        (await session.execute(select(Member.id, Member.consent_exchange_logging).where(Member.id.in_(ids)))).all()
    )
    a = a if a is not None and a.id in consent else None
    b = b if b is not None and b.id in consent else None
    return a, b, all(consent.values())


def profile_snapshot(member: Member | None) -> dict[str, str | None]:
    """A member's organisation, sector and country as an exchange keeps them. A sector or country the member
    left empty is their organisation's, when that is known (an organisation from the knowledge folder's
    organisations list): a member of a municipality who never typed `profile set sector` still counts as
    one."""
    if member is None:
        return {"organisation": None, "sector": None, "country": None}
    organisation = member.organisation
    return {
        "organisation": organisation.name if organisation else None,
        "sector": member.sector or (organisation.sector if organisation else None),
        "country": member.country or (organisation.country if organisation else None),
    }


def known_and_different(a: str | None, b: str | None) -> bool:
    """The cross-organisation/sector/border rule. Unknown on either side is not "cross": the indicators
    must not be inflated by gaps in profiles."""
    return a is not None and b is not None and a != b


# The word an introduction's exchange is deduplicated by, per kind: one exchange per introduction and step.
_INTRODUCTION_STEPS = {INTRO_ACCEPTED: "accepted", MEETING_CONFIRMED: "met"}


async def record_introduction_exchange(
    session: AsyncSession, intro: Introduction, requester: Member | None, target: Member | None, *, kind: str,
    occurred_at: datetime,
) -> None:
    """An introduction's exchange (INTRO_ACCEPTED or MEETING_CONFIRMED) between its two sides, each as they
    were when the introduction was asked for; once per introduction and kind."""
    await record_exchange(
        session, kind=kind, occurred_at=occurred_at, a=requester, b=target,
        a_snapshot=intro.requester_snapshot or None, b_snapshot=intro.target_snapshot or None,
        platform=intro.platform, dedupe_key=f"intro:{intro.id}:{_INTRODUCTION_STEPS[kind]}", introduction_id=intro.id,
    )


async def record_exchange(
    session: AsyncSession,
    *,
    kind: str,
    occurred_at: datetime,
    a: Member | None,
    b: Member | None,
    a_snapshot: dict | None = None,
    b_snapshot: dict | None = None,
    platform: str | None = None,
    channel_id: str | None = None,
    guild_id: str | None = None,
    dedupe_key: str | None = None,
    introduction_id: int | None = None,
    event_id: int | None = None,
    with_source: bool = False,
) -> Exchange | None:
    """Add one exchange; None when `dedupe_key` was recorded already (a retried delivery, a double click).

    When either member opted out of exchange logging the row names nobody: no member id (of either side),
    none of the LINKING_COLUMNS, and only the day (`unlinked_day`). Their organisation, sector and country
    still count, so the aggregates stay right while the row cannot be traced back to them. Such a row is
    only written once because its caller's own record moved once (an introduction's state, an attendance
    row), never because of its dedupe key.
    """
    side_a = a_snapshot or profile_snapshot(a)
    side_b = b_snapshot or profile_snapshot(b)
    a, b, linked = await linkable_sides(session, a, b)
    if not linked:
        a = b = None
        occurred_at = unlinked_day(occurred_at)
        channel_id = guild_id = dedupe_key = None
        introduction_id = event_id = None
    if dedupe_key is not None and await _recorded(session, dedupe_key):
        return None
    exchange = Exchange(
        kind=kind,
        occurred_at=occurred_at,
        platform=platform,
        channel_id=channel_id,
        guild_id=guild_id,
        member_a_id=_id_of(a),
        member_b_id=_id_of(b),
        **_side_columns(side_a, side_b),
        with_source=with_source,
        introduction_id=introduction_id,
        event_id=event_id,
        dedupe_key=dedupe_key,
    )
    try:
        async with session.begin_nested():
            session.add(exchange)
    except IntegrityError:  # another process recorded the same key in between
        return None
    return exchange


async def _recorded(session: AsyncSession, dedupe_key: str) -> bool:
    existing = await session.execute(select(Exchange.id).where(Exchange.dedupe_key == dedupe_key))
    return existing.first() is not None


def _id_of(member: Member | None) -> int | None:
    return member.id if member is not None else None


def _side_columns(side_a: dict[str, str | None], side_b: dict[str, str | None]) -> dict[str, str | bool | None]:
    """Both sides' organisation, sector and country, and whether each differs between them."""
    return {
        "organisation_a": side_a["organisation"],
        "sector_a": side_a["sector"],
        "country_a": side_a["country"],
        "organisation_b": side_b["organisation"],
        "sector_b": side_b["sector"],
        "country_b": side_b["country"],
        "cross_organisation": known_and_different(side_a["organisation"], side_b["organisation"]),
        "cross_sector": known_and_different(side_a["sector"], side_b["sector"]),
        "cross_border": known_and_different(side_a["country"], side_b["country"]),
    }


async def unlink_member(session: AsyncSession, member_id: int) -> int:
    """A member switched exchange logging off (or was erased): every exchange row they are on loses what
    links it back (LINKING_COLUMNS, both sides' member ids) and keeps only its day. Returns how many
    rows named them."""
    rows = (
        await session.execute(
            select(Exchange).where(or_(Exchange.member_a_id == member_id, Exchange.member_b_id == member_id))
        )
    ).scalars().all()
    for row in rows:
        for column in LINKING_COLUMNS:
            setattr(row, column, None)
        row.occurred_at = unlinked_day(row.occurred_at)
    await session.flush()
    return len(rows)
