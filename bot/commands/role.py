"""`role`: see your role and who the admins are; admins grant, revoke and list roles."""

from __future__ import annotations

import logging

from bot.audit import record_audit
from bot.commands import command
from bot.context import CommandContext
from bot.errors import UserError
from bot.members import AmbiguousMember, find_referenced_member
from bot.reply import Field, Reply, Section
from bot.roles import GRANTABLE_ROLES, ROLE_PURPOSE, known_admin_names, members_with_roles
from bot.tables import text_table
from bot.vocabulary import country_name
from storage.models import Member

log = logging.getLogger(__name__)

USAGE = "role [grant <member> <role> | revoke <member> <role> | list]"


@command(
    "role",
    summary="Your role and who the admins are; admins grant and revoke roles",
    usage=USAGE,
    help=(
        "Roles: member (everyone), expert (marks people others can ask), coordinator (events, digests, "
        "indicators) and admin. Admins are set in the bot's configuration (LIGHTHOUSE_ADMINS); they grant "
        "and revoke the expert and coordinator roles. A member holds one role at a time. Every change is "
        "written to the audit log and the member is told by direct message.\n"
        "Name the member with an @mention, their display name, or `member:<id>`; when a name fits several "
        "members I ask which one, showing their organisation and country."
    ),
    examples=("role", "role grant @Ana coordinator", "role revoke @Ana coordinator", "role list"),
    subcommand_roles={"grant": "admin", "revoke": "admin", "list": "admin"},
)
async def role(ctx: CommandContext) -> Reply:
    args = ctx.args
    if not args:
        return await _mine(ctx)
    action = args[0].lower()
    if action == "list":
        return await _list(ctx)
    if action in {"grant", "revoke"}:
        if len(args) != 3:
            raise UserError(
                f"Usage: `role {action} <member> <role>`.",
                hint=f"For example: `role {action} @Ana coordinator`. Roles: {', '.join(GRANTABLE_ROLES)}.",
            )
        return await _change(ctx, action, args[1], args[2].lower())
    raise UserError(f"`role {action[:20]}` is not something I can do.", hint=f"Usage: `{USAGE}`.")


async def _mine(ctx: CommandContext) -> Reply:
    async with ctx.db.session() as session:
        admins = await known_admin_names(session, ctx.settings)
    fields = [
        Field("Your role", ctx.role),
        Field("What it allows", ROLE_PURPOSE.get(ctx.role, "—")),
        Field("Admins", ", ".join(admins) if admins else "set in the configuration by whoever runs Lighthouse"),
    ]
    note = "Admins grant the expert and coordinator roles with `role grant <member> <role>`."
    return Reply(sections=[Section(title="Roles", fields=fields, context=note)], private=True)


async def _list(ctx: CommandContext) -> Reply:
    async with ctx.db.session() as session:
        admins = await known_admin_names(session, ctx.settings)
        holders = await members_with_roles(session)
    rows = [("admin", name, "", "", "") for name in admins] or [("admin", "none known yet", "", "", "")]
    for name in GRANTABLE_ROLES:
        held = [member for member in holders if member.role == name]
        rows += [
            (name, member.display_name, member.organisation.name if member.organisation else "—",
             country_name(member.country), f"member:{member.id}")
            for member in held
        ] or [(name, "nobody", "", "", "")]
    table = text_table(("Role", "Member", "Organisation", "Country", "Pick with"), rows)
    unknown = len(ctx.settings.admins) - len(admins)
    context = f"{len(ctx.settings.admins)} admin account(s) configured"
    if unknown > 0:
        context += f"; {unknown} of them have not talked to me yet"
    return Reply(sections=[Section(title="Roles", text=table, context=context + ".")], private=True)



async def _change(ctx: CommandContext, action: str, who: str, new_role: str) -> Reply:
    if new_role == "admin":
        raise UserError(
            "Admins are set in the bot's configuration (LIGHTHOUSE_ADMINS), not by command.",
            hint="Ask whoever runs Lighthouse to add the account there.",
        )
    if new_role not in GRANTABLE_ROLES:
        raise UserError(
            f"“{new_role[:30]}” is not a role I can {action}.", hint=f"Roles: {', '.join(GRANTABLE_ROLES)}."
        )
    async with ctx.db.session() as session, session.begin():
        try:
            target = await find_referenced_member(session, ctx.message, who)
        except AmbiguousMember as several:
            return several.ask(lambda member: f"role {action} member:{member.id} {new_role}")
        if target is None or target.is_bot:
            raise UserError(
                f"I don't know “{who[:40]}”.",
                hint=(
                    "Name them with an @mention, their display name or `member:<id>`; "
                    "they must have talked to me once."
                ),
            )
        target = await session.get(Member, target.id)
        assert target is not None
        previous = target.role
        if action == "grant":
            if previous == new_role:
                raise UserError(f"{target.display_name} is already {_a(new_role)}.")
            target.role = new_role
            done = f"{target.display_name} is now {_a(new_role)}"
            if previous != "member":
                done += f" (was {_a(previous)}; a member holds one role)"
            told = f"An admin gave you the {new_role} role in Lighthouse. Type `help` to see what you can do now."
        else:
            if previous != new_role:
                raise UserError(f"{target.display_name} is not {_a(new_role)} (their role is {previous}).")
            target.role = "member"
            done = f"{target.display_name} is no longer {_a(new_role)}"
            told = f"An admin removed your {new_role} role in Lighthouse; you are a member."
        await record_audit(
            session,
            ctx.member.id,
            f"role.{action}",
            {"subject_member_id": target.id, "role": new_role, "previous_role": previous},
            at=ctx.now(),
        )
        ctx.audited = True
    try:
        await ctx.core.notify(target, Reply(text=told, tone="info"))
    except Exception:  # the change stands even when the message cannot be delivered
        log.exception("could not tell member %s about their role change", target.id)
    return Reply(text=done + ".", tone="success", private=True)


def _a(role_name: str) -> str:
    return f"{'an' if role_name[:1] in 'aeiou' else 'a'} {role_name}"
