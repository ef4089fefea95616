"""What a digest says: upcoming events, pilots and documents new since the last digest, headline figures."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.digests.headline import headline_fields
from bot.digests.schedule import DigestSpec
from bot.digests.content import build_digest
from storage.models import Document, Exchange, Pilot
from tests.events_support import add_event, make_member
from tests.support import Chat

WEEKLY = DigestSpec("weekly", 0, "09:00", "Europe/Copenhagen")


async def add_document(core, source_id, kind, title, created_at, *, countries=()):
    async with core.db.session() as session, session.begin():
        document = Document(
            source_id=source_id,
            source_path=f"{source_id}.md",
            kind=kind,
            title=title,
            content_hash=source_id,
            created_at=created_at,
            countries=list(countries),
        )
        session.add(document)
        await session.flush()
        if kind == "pilot":
            session.add(Pilot(document_id=document.id, title=title, countries=list(countries)))


async def add_exchange(core, at, cross_border):
    async with core.db.session() as session, session.begin():
        session.add(
            Exchange(
                kind="thread_reply", occurred_at=at, cross_border=cross_border,
                country_a="DK", country_b="SE" if cross_border else "DK",
            )
        )


@pytest.fixture
async def carol(core):
    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")


def section_titles(reply):
    return [section.title for section in reply.sections if section.title]


async def test_the_digest_lists_what_is_new_since_the_last_one(chat: Chat, core, clock, transport, carol):
    now = clock.now()
    await add_event(chat, 'event add title="Mental health café" start="2026-11-12 16:00 Europe/Copenhagen"')
    await add_event(chat, 'event add title="Far ahead" start="2027-02-01 10:00 UTC"')
    await add_document(core, "old-pilot", "pilot", "Old pilot", now - timedelta(days=30))
    await add_document(
        core, "school-meals", "pilot", "School meals in Aarhus", now - timedelta(days=2), countries=["DK"]
    )
    await add_document(core, "equity-report", "report", "Equity report 2026", now - timedelta(days=1))
    await add_document(core, "anna", "expert", "Anna Berg (expert profile)", now - timedelta(days=1))
    await add_exchange(core, now - timedelta(days=3), cross_border=True)
    await add_exchange(core, now - timedelta(days=2), cross_border=False)
    await add_exchange(core, now - timedelta(days=1), cross_border=True)
    await add_exchange(core, now - timedelta(days=40), cross_border=True)  # before the period

    await chat.say("digest now", as_user="carol")
    (posted,) = [sent.reply for sent in transport.sent if sent.kind == "channel"]
    text = posted.plain_text()
    assert section_titles(posted)[:2] == ["Upcoming events (next 14 days)", "#1 Mental health café"]
    assert "Far ahead" not in text
    assert "Thu 12 Nov 2026, 16:00–17:00 Europe/Copenhagen" in text  # the channel's zone
    assert "School meals in Aarhus (DK)" in text and "Old pilot" not in text
    assert "Equity report 2026 (report)" in text and "Anna Berg" not in text
    assert "Exchanges: 3" in text and "Cross-border share: 67%" in text
    rsvp = [button.command for section in posted.sections for button in section.buttons]
    assert "event rsvp 1 going" in rsvp

    # A week later only what was added since the first digest is new.
    clock.advance(timedelta(days=7))
    await add_document(core, "literacy-tool", "tool", "Health literacy checklist", clock.now() - timedelta(days=1))
    await add_event(chat, 'event add title="Literacy lab" start="2026-11-13 10:00 UTC"')
    preview = (await chat.say("digest preview", as_user="carol")).plain_text()
    assert "Health literacy checklist (tool)" in preview
    assert "School meals" not in preview and "Equity report" not in preview and "Exchanges:" not in preview
    assert "Literacy lab" in preview


async def test_an_empty_period_is_not_posted(chat: Chat, core, clock, transport, carol):
    await chat.say("digest schedule weekly monday 09:00", as_user="carol")
    preview = await chat.say("digest preview", as_user="carol")
    assert "Nothing to report" in preview.text
    clock.set(datetime(2026, 11, 9, 8, 0, tzinfo=UTC))
    await core.scheduler.run_due()
    assert [s for s in transport.sent if s.kind == "channel"] == []
    assert "week 46, 9–15 Nov 2026: skipped" in await chat.text("digest", as_user="carol")


async def test_headline_counts_only_the_period(core, clock):
    start = clock.now() - timedelta(days=7)
    async with core.db.session() as session:
        assert await headline_fields(session, start, clock.now()) == []
    await add_exchange(core, clock.now() - timedelta(days=1), cross_border=False)
    await add_exchange(core, clock.now(), cross_border=True)  # the end is exclusive
    async with core.db.session() as session:
        fields = await headline_fields(session, start, clock.now())
        content = await build_digest(session, spec=WEEKLY, since=start, now=clock.now())
    assert [(f.label, f.value) for f in fields][:2] == [("Exchanges", "1"), ("Cross-border share", "0%")]
    assert content.indicators and not content.empty
