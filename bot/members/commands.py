"""Members' commands: `profile` (your own profile), `role` (who may do what) and `audit` (who changed what)."""

from __future__ import annotations

from bot.commands import Argument, Subcommand, context_only
from bot.context import CommandContext
from bot.feature import Feature
from bot.members import roles, views
from bot.members import service as members
from bot.members.profile import FIELD_ALIASES, FIELDS, validated
from bot.members.roles import GRANTABLE_ROLES
from bot.members.service import AmbiguousMember, is_plain_number
from bot.reply import Reply
from config.errors import UserError
from config.typos import typos_of

FEATURE = Feature("members", audit_wording=views.AUDIT_WORDING, refusals=views.REFUSALS)


async def _show_profile(ctx: CommandContext, words: list[str]) -> Reply:
    return views.profile(ctx.member)


async def profile(ctx: CommandContext) -> Reply:
    """`profile set` and `profile clear`."""
    args = ctx.args
    action = args[0].lower()
    field, words = _field_named(args)
    args_text, new_organisation = _new_organisation(ctx.args_text, field, words)
    value = _typed_value(args_text, field, words) if action == "set" else None
    if field == "organisation" and isinstance(value, str) and not new_organisation:
        near = await members.organisations_named_like(ctx.core, value)
        if near:  # a typo must not become a second organisation
            return views.organisation_meant(value, near)
    return views.profile_saved(await members.update_profile(ctx.core, ctx.member.id, field, value))


NEW_ORGANISATION = "--new"


def _new_organisation(args_text: str, field: str, field_words: int) -> tuple[str, bool]:
    """`profile set organisation --new Name` (or `Name --new`: the flag is a word of its own anywhere in the
    value): the member confirmed a new organisation close to an existing one's name. The text without the
    flag, every time it is given, so that no organisation is ever named with it; and whether it was there."""
    parts = args_text.split(None, 1 + field_words)
    if field != "organisation" or len(parts) < 2 + field_words:
        return args_text, False
    words = parts[-1].split()
    name = [word for word in words if word.lower() != NEW_ORGANISATION]
    if len(name) == len(words):
        return args_text, False
    return " ".join([*parts[:-1], *name]), True


async def _link(ctx: CommandContext, words: list[str]) -> Reply:
    if len(words) != 1:
        raise UserError("Usage: `profile link <profile id>`, for example `profile link expert-anna-holm`.")
    return views.profile_linked(await members.confirm_expert_profile(ctx.core, ctx.member.id, words[0]))


def _field_named(args: list[str]) -> tuple[str, int]:
    """The profile field the words after `set` or `clear` name, by any of its names, and how many words name it
    (a name may be written as two: "time zone")."""
    if len(args) < 2:
        raise UserError(f"Which field? One of: {', '.join(sorted(set(FIELD_ALIASES.values())))}.")
    field = FIELD_ALIASES.get(args[1].lower())
    if field is not None:
        return field, 1
    if len(args) > 2 and (field := FIELD_ALIASES.get(f"{args[1]}_{args[2]}".lower())) is not None:
        return field, 2
    word = args[1].lower()
    # A field its name starts ("time" of "timezone"), then one it is a typo of ("contry").
    starts = [name for name in FIELD_ALIASES if len(word) >= 3 and name.startswith(word)]
    close = list(dict.fromkeys(FIELD_ALIASES[name] for name in [*starts, *typos_of(word, FIELD_ALIASES)]))
    raise UserError(
        f"“{args[1][:40]}” is not a profile field.",
        hint=(f"Did you mean {' or '.join(close)}? " if close else "")
        + f"Fields: {', '.join(sorted(set(FIELD_ALIASES.values())))}.",
    )


def _typed_value(args_text: str, field: str, field_words: int = 1) -> object:
    """The stored form of the value `profile set` was given, after the `field_words` words naming its field."""
    # The value is the rest of the text as typed (so apostrophes and commas survive).
    parts = args_text.split(None, 1 + field_words)
    raw_value = parts[-1] if len(parts) == 2 + field_words else ""
    if not raw_value.strip():
        raise UserError(f"What should {field} be? For example: `profile set {field} ...`")
    if field == "name" and not raw_value.strip():
        raise UserError("A name cannot be empty.")
    return validated(field, raw_value)


FIELD_SYNTAX = "|".join(FIELDS)

FEATURE.command_with_subcommands(
    "profile",
    summary="Show or change your profile",
    usage="profile [set <field> <value>]",
    help=(
        "Your profile helps others find you and helps me report knowledge transfer across organisations, "
        "sectors and countries.\n"
        "Fields: name, organisation, sector, country, timezone, expertise, interests, bio. "
        "Lists (expertise, interests) are comma-separated. `profile clear <field>` empties a field. "
        "`profile link <profile id>` confirms that an expert profile of the knowledge folder naming your "
        "account is you (until then it is not linked to you).\n"
        "Countries by English or local name or ISO code (Denmark, Danmark, DK); time zones by IANA name or "
        "city (Europe/Copenhagen, Copenhagen).\n"
        "With expertise set, your profile (expertise, interests, bio, organisation, sector, country) is searchable "
        "at once by `experts`, `find` and `match me`, unless you switch expert search off "
        "(`privacy consent expert-search off`)."
    ),
    examples=(
        "profile",
        "profile set sector hospital",
        "profile set country Denmark",
        "profile set organisation Nordhavn Municipality",
        "profile set expertise school food, childhood obesity",
        "profile set timezone Europe/Copenhagen",
    ),
    aliases=("me",),
    subcommands=(
        Subcommand("show", _show_profile, "Your whole profile"),
        Subcommand("set", context_only(profile), "Change a field", f"{FIELD_SYNTAX} <value>"),
        Subcommand("clear", context_only(profile), "Empty a field", FIELD_SYNTAX),
        Subcommand("link", _link, "Confirm that an expert profile of the knowledge folder is you", "<profile id>"),
    ),
    default="show",
)


USAGE = "role [grant <member> <role> | revoke <member> <role> | list]"


async def _grant_or_revoke(ctx: CommandContext, words: list[str]) -> Reply:
    action = ctx.args[0].lower()
    if len(words) != 2:
        raise UserError(
            f"Usage: `role {action} <member> <role>`.",
            hint=f"For example: `role {action} @Ana coordinator`. Roles: {', '.join(GRANTABLE_ROLES)}.",
        )
    return await _change(ctx, action, words[0], words[1].lower())


async def _mine(ctx: CommandContext) -> Reply:
    return views.own_role(ctx.role, await roles.admin_names(ctx.core))


async def _list(ctx: CommandContext) -> Reply:
    admins, holders = await roles.role_holders(ctx.core)
    return views.role_list(admins, holders, len(ctx.settings.admins))


async def _change(ctx: CommandContext, action: str, who: str, new_role: str) -> Reply:
    try:
        change = await roles.change_role(ctx.core, ctx.member, ctx.message, action, who, new_role, notices=views.ROLE_NOTICES)
    except AmbiguousMember as several:
        return views.which_member(several, lambda member_id: f"role {action} member:{member_id} {new_role}")
    ctx.audited = True
    return views.role_change_done(change)


FEATURE.command_with_subcommands(
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
    subcommands=(
        Subcommand("show", context_only(_mine), "Your role and who the admins are"),
        Subcommand("grant", _grant_or_revoke, "Give a member a role", "<member> <role>", role="admin"),
        Subcommand("revoke", _grant_or_revoke, "Take a role back", "<member> <role>", role="admin"),
        Subcommand("list", context_only(_list), "Who holds which role", role="admin"),
    ),
    default="show",
)


DEFAULT_ENTRIES = 20
MAX_ENTRIES = 200


@FEATURE.command(
    "audit",
    summary="Show the newest audit-log entries (who did what, when)",
    usage="audit [number]",
    help=(
        "Every coordinator and admin command, and every role change, is written to the audit log with who "
        f"did it and when. Shows the newest {DEFAULT_ENTRIES} entries, or up to {MAX_ENTRIES}. People are "
        "shown by their current name; an erased member shows as “an erased member”."
    ),
    examples=("audit", "audit 50"),
    role="admin",
    arguments=(Argument("number", "How many entries to show", default=str(DEFAULT_ENTRIES), whole_number=True),),
)
async def audit(ctx: CommandContext) -> Reply:
    args = ctx.args
    count = DEFAULT_ENTRIES
    if args:
        if len(args) != 1 or not is_plain_number(args[0]) or not 1 <= int(args[0]) <= MAX_ENTRIES:
            raise UserError(f"Give a number of entries from 1 to {MAX_ENTRIES}, for example `audit 50`.")
        count = int(args[0])
    return views.audit_log(await members.audit_log(ctx.core, count), ctx.catalogue.audit_wording)
