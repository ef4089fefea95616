"""An erased member's id is never given to someone else.

What erasure keeps is keyed by the member id it no longer names: their cancelled reminder jobs (their
payloads name the id), old buttons and listings (`intro member:ID`, `role grant member:ID`), their own
profile's document id. A new member who got the same id would be handed all of that.
"""

from __future__ import annotations

import json

from tests.events_support import add_event, make_member, member_id
from tests.support import Chat


async def erase(chat: Chat, name: str) -> None:
    command = (await chat.say("privacy erase", as_user=name)).buttons[0].command
    done = await chat.say(command, as_user=name)
    assert done.tone == "success", done.plain_text()


async def test_the_newest_members_id_is_not_reused_after_erasure(core, chat: Chat):
    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")
    event_id = await add_event(chat)
    await chat.say(f"event rsvp {event_id} going", as_user="zed")  # the newest member, with two reminders
    erased = await member_id(core, "zed")
    await erase(chat, "zed")

    await chat.say("profile set country Kenya", as_user="newcomer")
    assert await member_id(core, "newcomer") != erased
    (attachment,) = (await chat.say("privacy export", as_user="newcomer")).attachments
    assert json.loads(attachment.content)["jobs_for_you"] == []


async def test_the_upgrade_keeps_every_row_that_refers_to_a_member(tmp_path):
    """The rebuilt members table (SQLite) keeps the rows of every table that refers to it."""
    from alembic import command
    from sqlalchemy import text

    from storage.database import Database, alembic_config

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        async with db.engine.begin() as connection:  # as the bot before this revision left it
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0010_reply_pages_button_page"))
            await connection.execute(text(
                "INSERT INTO members (id, display_name, expertise, interests, role, is_bot, consent_expert_search, "
                "consent_introductions, consent_exchange_logging, consent_community_questions, created_at, updated_at) "
                "VALUES (1, 'Ana', '[]', '[]', 'member', 0, 1, 1, 1, 0, '2026-11-02', '2026-11-02'), "
                "(2, 'Ben', '[]', '[]', 'member', 0, 1, 1, 1, 0, '2026-11-02', '2026-11-02')"
            ))
            await connection.execute(text(
                "INSERT INTO platform_identities (member_id, platform, platform_user_id, created_at) "
                "VALUES (1, 'console', 'ana', '2026-11-02'), (2, 'console', 'ben', '2026-11-02')"
            ))
        await db.migrate()
        async with db.engine.connect() as connection:
            identities = (await connection.execute(text("SELECT member_id FROM platform_identities ORDER BY member_id"))).scalars().all()
            assert identities == [1, 2]
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            schema = (await connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'members'"))).scalar()
            assert "AUTOINCREMENT" in schema
        async with db.engine.begin() as connection:
            await connection.execute(text("DELETE FROM members WHERE id = 2"))
            await connection.execute(text(
                "INSERT INTO members (display_name, expertise, interests, role, is_bot, consent_expert_search, "
                "consent_introductions, consent_exchange_logging, consent_community_questions, created_at, updated_at) "
                "VALUES ('Cy', '[]', '[]', 'member', 0, 1, 1, 1, 0, '2026-11-02', '2026-11-02')"
            ))
            assert (await connection.execute(text("SELECT id FROM members WHERE display_name = 'Cy'"))).scalar() == 3
            assert (await connection.execute(text("SELECT count(*) FROM platform_identities"))).scalar() == 1
    finally:
        await db.dispose()
