"""Every command (and subcommand) that needs more than the member role is refused to those below it.

The list comes from the command registry, so commands added later are covered without editing this file.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from bot.app.catalogue import full_catalogue
from bot.commands import Command, Subcommand
from bot.reply import Reply
from config.vocabulary import Role, role_rank
from storage.models import AuditEntry, Member
from tests.support import Chat, with_commands


def privileged_invocations() -> list[tuple[str, str, str]]:
    """(command name, text to type, role needed) for everything above member."""
    found = []
    for command in full_catalogue().commands.all():
        if role_rank(command.role) > role_rank("member"):
            found.append((command.name, command.name, command.role))
            found.extend((command.name, alias, command.role) for alias in command.aliases)
        for sub, role in ((sub.name, sub.role) for sub in command.subcommands if sub.role):
            if role_rank(role) > role_rank("member"):
                found.append((command.name, f"{command.name} {sub}", role))
                found.append((command.name, f"{command.name} {sub.upper()} member:1 something", role))
    return found


PRIVILEGED = privileged_invocations()


def test_the_registry_has_privileged_commands_to_check():
    typed = {text for _, text, _ in PRIVILEGED}
    assert {"audit", "role grant", "role revoke", "role list"} <= typed


async def set_role(core, name: str, role: str) -> None:
    async with core.db.session() as session, session.begin():
        member = (await session.execute(select(Member).where(Member.display_name == name))).scalar_one()
        member.role = role


@pytest.mark.parametrize(("name", "typed", "needed"), PRIVILEGED, ids=[typed for _, typed, _ in PRIVILEGED])
async def test_lower_roles_are_refused_before_the_handler_runs(core_with, name, typed, needed):
    ran: list[str] = []

    async def spy(ctx):
        ran.append(ctx.member.display_name)
        return Reply(text="ran")

    original = full_catalogue().commands.lookup(name)
    core = await core_with(with_commands(dataclasses.replace(original, handler=spy)))
    chat = Chat(core)
    lower_roles = [role for role in ("member", "expert", "coordinator") if role_rank(role) < role_rank(needed)]
    for role in lower_roles:
        user = f"user-{role}"
        await chat.say("profile", as_user=user)
        await set_role(core, user, role)
        reply = await chat.say(typed, as_user=user)
        assert reply.tone == "error", (typed, role, reply.text)
        assert f"needs the {needed} role" in reply.text
        assert "admin" in reply.text.lower()  # says who can grant it
        assert "Something went wrong" not in reply.text
    assert ran == []
    async with core.db.session() as session:
        assert (await session.execute(select(AuditEntry))).scalars().all() == []
    # The same text from an admin reaches the handler (so the refusal above was about the role).
    allowed = await chat.say(typed, as_user="admin")
    assert allowed.text == "ran" and ran == ["admin"]


async def test_refusal_names_the_known_admins(core, chat: Chat):
    await chat.say("profile", as_user="admin")  # the configured admin has talked to the bot
    reply = await chat.say("role grant @bob coordinator", as_user="alice")
    assert "`role grant` needs the admin role; you are a member." in reply.text
    assert "admin (console)" in reply.text and "LIGHTHOUSE_ADMINS" in reply.text


async def test_refusal_for_a_coordinator_command_says_an_admin_can_grant_it(core_with):
    async def handler(ctx):
        return Reply(text="done")

    broadcast = Command(name="broadcast", summary="s", usage="broadcast", handler=handler, role="coordinator")
    chat = Chat(await core_with(with_commands(broadcast)))
    reply = await chat.say("broadcast", as_user="alice")
    assert "needs the coordinator role" in reply.text
    assert "role grant <member> coordinator" in reply.text
    assert "type `role` to see who the admins are" in reply.text


def test_every_declared_role_is_a_known_role():
    for command in full_catalogue().commands.all():
        assert isinstance(command.role, Role), command.name
        for sub in command.subcommands:
            assert sub.role is None or isinstance(sub.role, Role), f"{command.name} {sub.name}"


async def _handler(ctx):  # noqa: ANN001 - never called
    raise AssertionError("not reached")


@pytest.mark.parametrize("typo", ["coordiantor", "Coordinator", "", "admins"])
def test_a_misspelt_role_stops_the_declaration(typo):
    with pytest.raises(ValueError, match="unknown role"):
        Command(name="x", summary="x", usage="x", handler=_handler, role=typo)
    with pytest.raises(ValueError, match="unknown role"):
        Subcommand("y", lambda ctx, words: _handler(ctx), "y", role=typo)


def test_an_unknown_role_ranks_nowhere_and_a_stored_unknown_word_gives_the_least():
    with pytest.raises(ValueError):
        role_rank("coordiantor")
    assert Role.held("superuser") is Role.MEMBER
    assert Role.held("coordinator") is Role.COORDINATOR
    assert role_rank(Role.EXPERT) == role_rank(Role.MEMBER) < role_rank(Role.COORDINATOR) < role_rank(Role.ADMIN)
