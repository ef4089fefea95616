"""Roles granted and revoked by admins, and the audit log of coordinator and admin actions."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.commands import Command, Subcommand
from bot.reply import Reply
from config.errors import UserError
from storage.models import AuditEntry, Member
from tests.support import Chat, RecordingTransport, with_commands


async def member_named(core, name: str) -> Member:
    async with core.db.session() as session:
        return (await session.execute(select(Member).where(Member.display_name == name))).scalar_one()


async def audit_rows(core) -> list[AuditEntry]:
    async with core.db.session() as session:
        return list((await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())


async def test_admin_grants_and_revokes_a_role_and_the_member_is_told(core, chat: Chat, transport: RecordingTransport):
    await chat.say("profile", as_user="bob")
    granted = await chat.say("role grant @bob coordinator", as_user="admin")
    assert granted.tone == "success" and "bob is now a coordinator" in granted.text
    assert (await member_named(core, "bob")).role == "coordinator"
    (told,) = transport.to("bob")
    assert "coordinator" in told.text
    assert "Your role: coordinator" in await chat.text("role", as_user="bob")

    again = await chat.say("role grant bob coordinator", as_user="admin")
    assert again.tone == "error" and "already a coordinator" in again.text
    wrong = await chat.say("role revoke bob expert", as_user="admin")
    assert wrong.tone == "error" and "is not an expert (their role is coordinator)" in wrong.text

    revoked = await chat.say(f"role revoke member:{(await member_named(core, 'bob')).id} coordinator", as_user="admin")
    assert revoked.tone == "success" and "no longer a coordinator" in revoked.text
    assert (await member_named(core, "bob")).role == "member"

    grant, revoke = await audit_rows(core)
    admin = await member_named(core, "admin")
    bob = await member_named(core, "bob")
    assert (grant.action, grant.actor_member_id, grant.details) == (
        "role.grant",
        admin.id,
        {"subject_member_id": bob.id, "role": "coordinator", "previous_role": "member"},
    )
    assert revoke.action == "role.revoke" and revoke.details["subject_member_id"] == bob.id


async def test_granting_a_second_role_replaces_the_first_and_says_so(core, chat: Chat):
    await chat.say("profile", as_user="erin")
    await chat.say("role grant erin expert", as_user="admin")
    reply = await chat.say("role grant erin coordinator", as_user="admin")
    assert "(was an expert; a member holds one role)" in reply.text


async def test_bad_role_commands_are_explained(chat: Chat):
    await chat.say("profile", as_user="bob")
    admin = await chat.say("role grant bob admin", as_user="admin")
    assert admin.tone == "error" and "LIGHTHOUSE_ADMINS" in admin.text
    unknown_role = await chat.say("role grant bob wizard", as_user="admin")
    assert "not a role" in unknown_role.text and "expert, coordinator" in unknown_role.text
    nobody = await chat.say("role grant @nobody coordinator", as_user="admin")
    assert "I don't know “@nobody”" in nobody.text
    short = await chat.say("role grant bob", as_user="admin")
    assert "Usage: `role grant <member> <role>`" in short.text
    other = await chat.say("role frobnicate", as_user="admin")
    assert other.tone == "error" and "not something I can do" in other.text


async def test_role_list_shows_admins_and_role_holders(core, chat: Chat):
    await chat.say("profile", as_user="admin")
    await chat.say("profile", as_user="bob")
    await chat.say("role grant bob expert", as_user="admin")
    listing = await chat.text("role list", as_user="admin")
    bob = await member_named(core, "bob")
    # A table: a header, then one row per person, columns lined up.
    rows = [re.split(r"\s{2,}", line) for line in listing.splitlines()[1:-1]]
    assert rows[0] == ["Role", "Member", "Organisation", "Country", "Pick with"]
    assert ["admin", "admin (console)"] in rows
    assert ["expert", "bob", "—", "—", f"member:{bob.id}"] in rows
    assert ["coordinator", "nobody"] in rows
    header = listing.splitlines()[1]
    assert all(line.find("admin (console)") in (-1, header.index("Member")) for line in listing.splitlines())


async def test_members_see_their_role_and_who_the_admins_are(chat: Chat):
    await chat.say("profile", as_user="admin")
    text = await chat.text("role", as_user="alice")
    assert "Your role: member" in text and "Admins: admin (console)" in text


async def test_router_audits_every_successful_coordinator_or_admin_command_once(core_with):
    async def handler(ctx):
        if "fail" in ctx.args:
            raise UserError("no")
        return Reply(text="done")

    event = Command(name="event", summary="s", usage="event", handler=handler,
                    subcommands=(Subcommand("add", lambda ctx, words: handler(ctx), "s", role="coordinator"),))
    core = await core_with(with_commands(event))
    chat = Chat(core)
    await chat.say("profile", as_user="carol")
    await chat.say("role grant carol coordinator", as_user="admin")
    await chat.say("event list", as_user="carol")  # a member-level subcommand: not audited
    await chat.say("event add   title='Obesity & schools'   start=2026-12-01", as_user="carol")
    await chat.say("event add fail", as_user="carol")  # refused politely: nothing happened, nothing audited
    rows = await audit_rows(core)
    assert [row.action for row in rows] == ["role.grant", "command"], [r.details for r in rows]
    carol = await member_named(core, "carol")
    assert rows[1].actor_member_id == carol.id
    assert rows[1].details == {
        "command": "event",
        "arguments": "add title='Obesity & schools' start=2026-12-01",
        "platform": "console",
        "channel": "console",
    }


async def test_audited_arguments_are_kept_short(core, chat: Chat):
    await chat.say("audit " + "9" * 500, as_user="admin")  # refused: not a number in range
    await chat.say("role list " + "x" * 500, as_user="admin")
    (row,) = await audit_rows(core)
    assert len(row.details["arguments"]) <= 200 and row.details["arguments"].endswith("…")


async def test_audit_command_shows_newest_first_with_names(core, chat: Chat):
    await chat.say("profile", as_user="bob")
    await chat.say("role grant bob expert", as_user="admin")
    await chat.say("role list", as_user="admin")
    text = await chat.text("audit", as_user="admin")
    header, *rows = [re.split(r"\s{2,}", line) for line in text.splitlines()[1:]]
    assert header == ["When (UTC)", "Who", "What"] and len(rows) == 2
    # People are labelled so that namesakes can be told apart.
    assert rows[0] == ["2026-11-02 09:00", "admin (member:2)", "`role list` on console"]
    assert rows[1] == ["2026-11-02 09:00", "admin (member:2)", "granted expert to bob (member:1) (was member)"]


async def test_audit_count_is_validated_and_long_logs_are_paged(core, chat: Chat):
    for bad in ("audit 0", "audit 201", "audit many", "audit 1 2"):
        reply = await chat.say(bad, as_user="admin")
        assert reply.tone == "error" and "from 1 to 200" in reply.text
    for _ in range(60):
        await chat.say("role list", as_user="admin")
    first = await chat.say("audit 200", as_user="admin")
    assert "(page 1 of 2)" in first.text and first.buttons
    shown = [line for s in first.sections for line in s.text.splitlines()[1:]]  # each table has a header
    assert len(shown) == 50


async def test_empty_audit_log(chat: Chat):
    reply = await chat.say("audit", as_user="admin")
    # The audit command itself is logged only after it answers.
    assert reply.text == "The audit log is empty."
