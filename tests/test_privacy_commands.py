"""`privacy`: the plain-words summary, consent flags, export as a DM attachment, and erasure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.indicators import service as indicators
from bot.indicators.exchanges import record_exchange
from bot.message import Message
from storage.models import (
    RSVP,
    AuditEntry,
    Chunk,
    Document,
    Event,
    Exchange,
    Introduction,
    IntroductionTransition,
    Job,
    KnowledgeVersion,
    Member,
    PlatformIdentity,
    ReplyPage,
)
from tests.support import Chat


async def member_named(session, name: str) -> Member | None:
    return (await session.execute(select(Member).where(Member.display_name == name))).scalar_one_or_none()


async def community(core, chat: Chat, clock) -> dict[str, int]:
    """Alice (DK municipality) and Bob (NO hospital) with introductions both ways, an exchange, RSVPs,
    an expert profile in the knowledge base and an audit entry about Alice."""
    for user, organisation, sector, country in (
        ("alice", "Nordhavn Municipality", "municipality", "DK"),
        ("bob", "Vestfjord Hospital", "hospital", "NO"),
        ("carol", "Lund Research", "research", "SE"),
    ):
        await chat.say(f"profile set organisation {organisation}", as_user=user)
        await chat.say(f"profile set sector {sector}", as_user=user)
        await chat.say(f"profile set country {country}", as_user=user)
    await chat.say("profile set bio Bob's private bio text", as_user="bob")
    await chat.say("role grant alice expert", as_user="admin")
    now = clock.now()
    async with core.db.session() as session, session.begin():
        alice, bob, carol = [await member_named(session, n) for n in ("alice", "bob", "carol")]
        asked = Introduction(
            requester_id=alice.id,
            target_id=bob.id,
            reason="Alice wants advice on school meals",
            state="accepted",
            requested_at=now,
            requester_snapshot={"name": "alice", "organisation": "Nordhavn Municipality", "sector": "municipality"},
            target_snapshot={"organisation": "Vestfjord Hospital", "sector": "hospital", "country": "NO"},
        )
        asked.transitions = [
            IntroductionTransition(from_state=None, to_state="requested", at=now, actor_member_id=alice.id),
            IntroductionTransition(from_state="requested", to_state="accepted", at=now, actor_member_id=bob.id),
        ]
        received = Introduction(
            requester_id=bob.id,
            target_id=alice.id,
            reason="Bob's own words about his clinic",
            state="requested",
            requested_at=now,
            requester_snapshot={"organisation": "Vestfjord Hospital", "sector": "hospital", "country": "NO"},
            target_snapshot={"organisation": "Nordhavn Municipality", "sector": "municipality", "country": "DK"},
        )
        session.add_all([asked, received])
        await session.flush()
        await record_exchange(
            session, kind="intro_accepted", occurred_at=now, a=alice, b=bob, introduction_id=asked.id, dedupe_key="x1"
        )
        await record_exchange(session, kind="thread_reply", occurred_at=now, a=bob, b=carol, dedupe_key="x2")
        event = Event(
            title="Healthy schools meetup",
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=2),
            timezone="Europe/Copenhagen",
            organiser_id=carol.id,
        )
        session.add(event)
        await session.flush()
        session.add_all(
            [
                RSVP(event_id=event.id, member_id=alice.id, status="going"),
                RSVP(event_id=event.id, member_id=bob.id, status="going"),
            ]
        )
        profile = Document(
            source_id="expert:alice",
            source_path="experts/alice.md",
            kind="expert",
            title="Alice — school food",
            content_hash="h1",
            member_id=alice.id,
        )
        other = Document(
            source_id="pilot:1", source_path="pilots/1.md", kind="pilot", title="A pilot", content_hash="h2"
        )
        profile.chunks = [Chunk(ordinal=0, text="Alice knows school food"), Chunk(ordinal=1, text="and more")]
        other.chunks = [Chunk(ordinal=0, text="pilot text")]
        session.add_all([profile, other])
        session.add(
            Job(kind="event_reminder", key="r1", due_at=now + timedelta(days=2), payload={"member_id": alice.id})
        )
        await session.flush()
        return {"alice": alice.id, "bob": bob.id, "carol": carol.id, "asked": asked.id, "received": received.id}


async def test_privacy_explains_what_is_stored_with_counts_and_flags(core, chat: Chat, clock):
    ids = await community(core, chat, clock)
    async with core.db.session() as session, session.begin():
        session.add(ReplyPage(id="p1", member_id=ids["alice"], pages=[{"text": "school meals, continued"}]))
    text = await chat.text("privacy", as_user="alice")
    # what is kept of what was said: the community posts, and the later pages of answers (with their question)
    assert "I keep no record of your conversations" in text and "later pages of my answers" in text
    assert "Answers you can page through (1)" in text and "deleted after 14 days" in text
    assert "Introductions (2)" in text and "Exchanges linked to you (1)" in text and "Event replies (1)" in text
    assert "your expert profile is searchable" in text
    assert "Expert search: on" in text and "Exchange logging: on" in text
    assert "privacy export" in text and "privacy erase" in text


async def test_consent_flags_change_and_are_explained(core, chat: Chat):
    off = await chat.say("privacy consent introductions off")
    assert off.tone == "success" and "nobody can ask me to introduce them to you" in off.text
    await chat.say("privacy consent intro on")
    await chat.say("privacy consent expert_search no")
    async with core.db.session() as session:
        alice = await member_named(session, "alice")
        assert (alice.consent_introductions, alice.consent_expert_search) == (True, False)
        # Expert search changed: every process's search index is told to refresh.
        assert (await session.execute(select(KnowledgeVersion.version))).scalar_one() == 1
    assert "Expert search: off" in await chat.text("privacy")
    for bad, expected in (
        ("privacy consent", "Usage"),
        ("privacy consent marketing off", "not a consent flag"),
        ("privacy consent introductions maybe", "Say `on` or `off`"),
        ("privacy share", "not something I can do"),
    ):
        reply = await chat.say(bad)
        assert reply.tone == "error" and expected in reply.text


async def test_exchange_logging_off_unlinks_past_and_future_exchanges_but_keeps_the_counts(core, chat: Chat, clock):
    ids = await community(core, chat, clock)
    reply = await chat.say("privacy consent exchange-logging off", as_user="alice")
    assert "1 earlier exchange record(s) no longer carry your name" in reply.text
    await core.observe(
        Message(
            author=chat.author("alice"), text="hello", channel_id="C1", message_id="m9", reply_to=chat.author("bob")
        )
    )
    async with core.db.session() as session:
        rows = (await session.execute(select(Exchange).order_by(Exchange.id))).scalars().all()
    assert len(rows) == 3
    assert all(ids["alice"] not in (row.member_a_id, row.member_b_id) for row in rows)
    # Her rows name nobody: no way back through the other side's id either (docs/indicators.md).
    assert rows[2].member_a_id is None and rows[2].organisation_b == "Nordhavn Municipality"
    assert rows[2].cross_border and rows[2].cross_sector


async def test_export_is_a_json_file_in_a_direct_message(core, chat: Chat, clock):
    ids = await community(core, chat, clock)
    reply = await chat.say("privacy export", as_user="alice")
    assert reply.direct and reply.tone != "error"
    (attachment,) = reply.attachments
    assert attachment.mime_type == "application/json" and attachment.filename.endswith(".json")
    data = json.loads(attachment.content)
    assert data["profile"]["name"] == "alice" and data["profile"]["role"] == "expert"
    assert data["profile"]["organisation"]["name"] == "Nordhavn Municipality"
    assert data["profile"]["consent"] == {
        "expert-search": True, "introductions": True, "exchange-logging": True, "community-questions": False
    }
    assert data["identities"] == [
        {
            "platform": "console",
            "platform_user_id": "alice",
            "display_name": "alice",
            "created_at": data["identities"][0]["created_at"],
        }
    ]
    by_id = {i["introduction_id"]: i for i in data["introductions"]}
    asked, received = by_id[ids["asked"]], by_id[ids["received"]]
    assert asked["you_were"] == "requester" and asked["your_reason"] == "Alice wants advice on school meals"
    assert asked["other_member"] == {"name": "bob", "organisation": "Vestfjord Hospital"}
    assert [h["by"] for h in asked["history"]] == ["you", "the other member"]
    assert received["you_were"] == "asked to meet" and received["your_reason"] is None
    assert [r["event"] for r in data["event_rsvps"]] == ["Healthy schools meetup"]
    (exchange,) = data["exchanges"]
    assert exchange["your_side"]["organisation"] == "Nordhavn Municipality"
    assert exchange["other_side"] == {"organisation": "Vestfjord Hospital", "sector": "hospital", "country": "NO"}
    assert exchange["cross_border"] is True
    assert [(a["action"], a["done_by_you"]) for a in data["audit_entries"]] == [("role.grant", False)]
    assert [d["source_id"] for d in data["knowledge_base"]] == ["expert:alice"]
    raw = attachment.content.decode()
    # The other side's own words and private profile stay out; the bob-carol exchange is not Alice's.
    assert "Bob's own words" not in raw and "private bio" not in raw and "Lund Research" not in raw


async def test_erase_needs_the_members_own_fresh_token(core, chat: Chat, clock):
    await community(core, chat, clock)
    ask = await chat.say("privacy erase", as_user="alice")
    assert ask.tone == "warning" and "cannot be undone" in ask.text
    (button,) = ask.buttons
    assert button.style == "danger" and button.command.startswith("privacy erase confirm ")
    assert len(button.command) <= 90
    token = button.command.rsplit(" ", 1)[1]

    stolen = await chat.say(button.command, as_user="bob")  # another member replaying Alice's button
    assert stolen.tone == "error" and "not valid for you" in stolen.text
    guessed = await chat.say("privacy erase confirm " + "A" * len(token), as_user="alice")
    assert guessed.tone == "error"
    clock.advance(timedelta(minutes=16))
    expired = await chat.say(button.command, as_user="alice")
    assert expired.tone == "error" and "expired" in expired.text
    first = (await chat.say("privacy erase", as_user="alice")).buttons[0].command
    second = (await chat.say("privacy erase", as_user="alice")).buttons[0].command
    superseded = await chat.say(first, as_user="alice")
    assert superseded.tone == "error"
    async with core.db.session() as session:
        assert await member_named(session, "alice") is not None and await member_named(session, "bob") is not None
    done = await chat.say(second, as_user="alice")
    assert done.tone == "success" and "erased" in done.text
    replay = await chat.say(second, as_user="alice")  # a second click: a new, empty profile is not erased
    assert replay.tone == "error"
    # ... and it says what happened: the data is gone, not "nothing was erased"
    assert "already erased" in replay.text and "nothing was erased" not in replay.text
    malformed = await chat.say("privacy erase now", as_user="alice")
    assert malformed.tone == "error" and "confirmation button" in malformed.text


async def indicator_counts(session) -> dict[str, object]:
    exchanges = (
        await session.execute(
            select(
                func.count(Exchange.id),
                func.count(Exchange.id).filter(Exchange.cross_border.is_(True)),
                func.count(Exchange.id).filter(Exchange.cross_sector.is_(True)),
            )
        )
    ).one()
    # The indicators read introductions from their transitions (a withdrawn request counts in none).
    dataset = await indicators.load_dataset(session, datetime(2100, 1, 1, tzinfo=UTC))
    intros = indicators.compute(
        dataset, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC),
        ["intros_requested", "intros_accepted", "acceptance_rate", "median_hours_to_accept", "intros_met"],
    )
    by_country = sorted(
        (await session.execute(select(Exchange.country_a, Exchange.country_b, Exchange.organisation_a))).all(),
        key=str,
    )
    return {"exchanges": tuple(exchanges), "intros": intros, "by_country": by_country}


async def test_erasure_deletes_the_member_and_anonymises_what_indicators_need(core, chat: Chat, clock):
    ids = await community(core, chat, clock)
    async with core.db.session() as session, session.begin():
        session.add(KnowledgeVersion(version=5))
    async with core.db.session() as session:
        before = await indicator_counts(session)
    command = (await chat.say("privacy erase", as_user="alice")).buttons[0].command
    await chat.say(command, as_user="alice")

    async with core.db.session() as session:
        assert await session.get(Member, ids["alice"]) is None
        identities = (await session.execute(select(PlatformIdentity.platform_user_id))).scalars().all()
        assert "alice" not in identities and "bob" in identities
        asked = await session.get(Introduction, ids["asked"])
        assert asked.requester_id is None and asked.reason is None and asked.target_id == ids["bob"]
        assert asked.requester_snapshot == {
            "organisation": "Nordhavn Municipality",
            "sector": "municipality",
            "country": "DK",
        }
        received = await session.get(Introduction, ids["received"])
        assert received.target_id is None and received.reason == "Bob's own words about his clinic"
        assert received.state == "withdrawn"  # Bob can no longer accept a request to someone who left
        actors = (await session.execute(select(IntroductionTransition.actor_member_id))).scalars().all()
        assert ids["alice"] not in actors and ids["bob"] in actors
        exchanges = (await session.execute(select(Exchange))).scalars().all()
        assert all(ids["alice"] not in (e.member_a_id, e.member_b_id) for e in exchanges)
        rsvps = (await session.execute(select(RSVP.member_id))).scalars().all()
        assert rsvps == [ids["bob"]]
        documents = (await session.execute(select(Document.source_id))).scalars().all()
        assert documents == ["pilot:1"]
        assert (await session.execute(select(func.count(Chunk.id)))).scalar_one() == 1
        assert (await session.execute(select(KnowledgeVersion.version))).scalar_one() == 6
        job = (await session.execute(select(Job))).scalar_one()
        assert job.status == "cancelled"
        grant, erased = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
        assert grant.details["subject_member_id"] is None and grant.details["subject_erased"] is True
        assert erased.action == "member.erased" and erased.actor_member_id is None
        assert "alice" not in json.dumps(erased.details)
        # The community's numbers are exactly what they were.
        assert await indicator_counts(session) == before

    assert "an erased member" in await chat.text("audit", as_user="admin")


async def test_erasure_creates_the_knowledge_version_row_when_missing(core, chat: Chat):
    command = (await chat.say("privacy erase", as_user="dave")).buttons[0].command
    await chat.say(command, as_user="dave")
    async with core.db.session() as session:
        assert (await session.execute(select(KnowledgeVersion.version))).scalars().all() == [1]


async def test_erasure_is_all_or_nothing(core, chat: Chat, clock, monkeypatch):
    ids = await community(core, chat, clock)
    command = (await chat.say("privacy erase", as_user="alice")).buttons[0].command

    async def broken(session):
        raise RuntimeError("disk full")

    monkeypatch.setattr("bot.privacy.erasure.bump_version", broken)
    failed = await chat.say(command, as_user="alice")
    assert failed.tone == "error"
    async with core.db.session() as session:
        assert await session.get(Member, ids["alice"]) is not None
        asked = await session.get(Introduction, ids["asked"])
        assert asked.requester_id == ids["alice"] and asked.reason is not None
        assert (await session.execute(select(func.count(RSVP.id)))).scalar_one() == 2
        assert (await session.execute(select(func.count(Document.id)))).scalar_one() == 2
        assert (await session.execute(select(func.count(AuditEntry.id)))).scalar_one() == 1
    monkeypatch.undo()
    # The token was not used up by the failed attempt: the same button now works.
    done = await chat.say(command, as_user="alice")
    assert done.tone == "success"


@pytest.mark.parametrize("typed", ["privacy erase confirm", "privacy erase confirm a b", "privacy erase yes"])
async def test_malformed_confirmations_erase_nothing(core, chat: Chat, typed):
    await chat.say("privacy erase")
    reply = await chat.say(typed)
    assert reply.tone == "error"
    async with core.db.session() as session:
        assert await member_named(session, "alice") is not None
