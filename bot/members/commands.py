"""Members' commands: `profile` (your own profile), `role` (who may do what) and `audit` (who changed what)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select

from bot.audit import recent_entries, record_audit
from bot.commands import Argument, Subcommand, command, command_with_subcommands, context_only
from bot.context import CommandContext
from bot.digests.schedule import DigestSpec
from bot.members.roles import GRANTABLE_ROLES, ROLE_PURPOSE, known_admin_names, members_with_roles
from bot.members.service import (
    AmbiguousMember,
    find_referenced_member,
    is_plain_number,
    member_label,
)
from bot.reply import Field, Reply, Section
from bot.tables import text_table
from config.errors import UserError
from config.vocabulary import SECTORS, country_name, require_country, require_sector, require_timezone
from knowledge.profiles import sync_member_profile
from storage.lookups import get_or_create_organisation
from storage.models import AuditEntry, Member

MAX_LIST_ITEMS = 20
# How long a save may wait for an already loaded model to embed the profile (it takes milliseconds).
EMBED_WAIT_SECONDS = 2.0
MAX_ITEM_CHARS = 80

_FIELD_ALIASES = {
    "organisation": "organisation",
    "organization": "organisation",
    "org": "organisation",
    "sector": "sector",
    "country": "country",
    "timezone": "timezone",
    "time_zone": "timezone",
    "tz": "timezone",
    "expertise": "expertise",
    "interests": "interests",
    "name": "name",
    "bio": "bio",
}


def profile_sections(member: Member) -> list[Section]:
    fields = [
        Field("Name", member.display_name),
        Field("Organisation", member.organisation.name if member.organisation else "—"),
        Field("Sector", SECTORS.get(member.sector, "—") if member.sector else "—"),
        Field("Country", country_name(member.country)),
        Field("Time zone", member.timezone or "—"),
        Field("Role", member.role),
        Field("Expertise", ", ".join(member.expertise) or "—"),
        Field("Interests", ", ".join(member.interests) or "—"),
    ]
    consent = (
        f"Expert search: {'on' if member.consent_expert_search else 'off'} · "
        f"Introductions: {'on' if member.consent_introductions else 'off'} · "
        f"Exchange logging: {'on' if member.consent_exchange_logging else 'off'}"
    )
    sections = [Section(title="Your profile", fields=fields)]
    if member.bio:
        sections.append(Section(title="About", text=member.bio))
    sections.append(Section(context=consent + "\nChange a value with `profile set <field> <value>`."))
    return sections


def _list_value(value: str) -> list[str]:
    items = [" ".join(item.split()) for item in value.replace(";", ",").split(",")]
    items = [item for item in items if item]
    if len(items) > MAX_LIST_ITEMS:
        raise UserError(f"Up to {MAX_LIST_ITEMS} items, please (you gave {len(items)}).")
    too_long = [item for item in items if len(item) > MAX_ITEM_CHARS]
    if too_long:
        raise UserError(f"Each item can be at most {MAX_ITEM_CHARS} characters.")
    # Keep the order the member gave, without repeats.
    return list(dict.fromkeys(items))


def _validated(field: str, value: str) -> object:
    validators: dict[str, Callable[[str], object]] = {
        "sector": require_sector,
        "country": require_country,
        "timezone": require_timezone,
        "expertise": _list_value,
        "interests": _list_value,
        "name": _short_text(100),
        "organisation": _short_text(200),
        "bio": _short_text(1000),
    }
    return validators[field](value)


def _short_text(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = " ".join(value.split()) if limit <= 200 else value.strip()
        if len(text) > limit:
            raise UserError(f"That is {len(text)} characters; the limit is {limit}.")
        return text

    return check


async def _show_profile(ctx: CommandContext, words: list[str]) -> Reply:
    return Reply(sections=profile_sections(ctx.member), private=True)


async def profile(ctx: CommandContext) -> Reply:
    """`profile set` and `profile clear`."""
    args = ctx.args
    action = args[0].lower()
    if len(args) < 2:
        raise UserError(f"Which field? One of: {', '.join(sorted(set(_FIELD_ALIASES.values())))}.")
    field = _FIELD_ALIASES.get(args[1].lower())
    if field is None:
        raise UserError(
            f"“{args[1][:40]}” is not a profile field.",
            hint=f"Fields: {', '.join(sorted(set(_FIELD_ALIASES.values())))}.",
        )
    # The value is the rest of the text as typed (so apostrophes and commas survive).
    raw_value = ctx.args_text.split(None, 2)[2] if len(ctx.args_text.split(None, 2)) == 3 else ""
    if action == "set" and not raw_value.strip():
        raise UserError(f"What should {field} be? For example: `profile set {field} ...`")
    if action == "set" and field == "name" and not raw_value.strip():
        raise UserError("A name cannot be empty.")
    value = _validated(field, raw_value) if action == "set" else None

    async with ctx.db.session() as session, session.begin():
        member = await session.get(Member, ctx.member.id)
        assert member is not None
        before = _shown(field, member)
        if field == "organisation":
            if value:
                organisation = await get_or_create_organisation(
                    session, str(value), sector=member.sector, country=member.country
                )
                member.organisation_id = organisation.id
            else:
                member.organisation_id = None
        elif field == "name":
            if value is None:
                raise UserError("Your name cannot be cleared; set another one instead.")
            member.display_name = str(value)
        elif field in {"expertise", "interests"}:
            setattr(member, field, value or [])
        else:
            setattr(member, field, value)
        await session.flush()
        await session.refresh(member, ["organisation"])
        after = _shown(field, member)
        # The expert document follows the profile in the same transaction (every process sees it at once).
        indexed = await sync_member_profile(session, member.id)
    if indexed:  # without the model loaded, the next search (which loads it) embeds the profile
        await ctx.core.knowledge.embed_soon_and_wait(EMBED_WAIT_SECONDS)
    # Only the field that was touched: the whole profile is one `profile` away.
    label = _LABELS[field]
    footer = Section(context="`profile` shows your whole profile.")
    if after == before:
        return Reply(text=f"Your {label.lower()} was already {after}; nothing changed.", sections=[footer],
                     private=True)
    text = f"Saved: {label.lower()} cleared (was {before})." if after == "—" else (
        f"Saved: {label.lower()} = {after}" + (f" (was {before})." if before != "—" else ".")
    )
    return Reply(text=text, sections=[footer], private=True, tone="success")


_LABELS = {
    "name": "Name", "organisation": "Organisation", "sector": "Sector", "country": "Country",
    "timezone": "Time zone", "expertise": "Expertise", "interests": "Interests", "bio": "Bio",
}


def _shown(field: str, member: Member) -> str:
    """One profile field as `profile` shows it ("—" when empty); the country also gives its code."""
    if field == "country" and member.country:
        return f"{country_name(member.country)} ({member.country})"
    if field == "bio":
        bio = member.bio or "—"
        return bio if len(bio) <= 80 else bio[:79] + "…"
    return next(f.value for f in profile_sections(member)[0].fields if f.label == _LABELS[field])


FIELDS = "name|organisation|sector|country|timezone|expertise|interests|bio"

command_with_subcommands(
    "profile",
    summary="Show or change your profile",
    usage="profile [set <field> <value>]",
    help=(
        "Your profile helps others find you and helps me report knowledge transfer across organisations, "
        "sectors and countries.\n"
        "Fields: name, organisation, sector, country, timezone, expertise, interests, bio. "
        "Lists (expertise, interests) are comma-separated. `profile clear <field>` empties a field.\n"
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
        Subcommand("set", context_only(profile), "Change a field", f"{FIELDS} <value>"),
        Subcommand("clear", context_only(profile), "Empty a field", FIELDS),
    ),
    default="show",
)


log = logging.getLogger(__name__)

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


command_with_subcommands(
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
ENTRIES_PER_SECTION = 10


@command(
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
    async with ctx.db.session() as session:
        entries = await recent_entries(session, count)
        subjects = await _subject_labels(session, [entry for entry, _ in entries])
    if not entries:
        return Reply(text="The audit log is empty.", private=True)
    rows = [_row(entry, actor, subjects) for entry, actor in entries]
    # Each section is a table of its own with the header: pages split between sections.
    sections = [
        Section(text=text_table(HEADER, rows[start : start + ENTRIES_PER_SECTION]))
        for start in range(0, len(rows), ENTRIES_PER_SECTION)
    ]
    return Reply(text=f"Audit log, newest first ({len(rows)} entries):", sections=sections, private=True)


async def _subject_labels(session, entries: list[AuditEntry]) -> dict[int, str]:
    ids = {entry.details.get("subject_member_id") for entry in entries}
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    rows = await session.execute(select(Member).where(Member.id.in_(ids)))
    return {member.id: member_label(member) for member in rows.scalars()}


HEADER = ("When (UTC)", "Who", "What")


def _row(entry: AuditEntry, actor: Member | None, subjects: dict[int, str]) -> tuple[str, str, str]:
    when = entry.at.strftime("%Y-%m-%d %H:%M")
    # Labels with organisation and member id: two members of one name are told apart.
    who = member_label(actor) if actor else ("an erased member" if entry.details.get("actor_erased") else "Lighthouse")
    return when, who, _describe(entry, subjects)


def _describe(entry: AuditEntry, subjects: dict[int, str]) -> str:
    details = entry.details or {}
    subject_id = details.get("subject_member_id")
    subject = subjects.get(subject_id, f"member:{subject_id}") if isinstance(subject_id, int) else "an erased member"
    if entry.action == "role.grant":
        return f"granted {details.get('role')} to {subject} (was {details.get('previous_role')})"
    if entry.action == "role.revoke":
        return f"revoked {details.get('role')} from {subject}"
    if entry.action == "command":
        typed = f"{details.get('command', '')} {details.get('arguments', '')}".strip().replace("`", "'")
        return f"`{typed}`" + (f" on {details['platform']}" if details.get("platform") else "")
    if entry.action == "member.erased":
        return "a member erased their data"
    if entry.action.startswith("digest."):
        where = f"the digest of {details.get('platform', '?')} channel {details.get('channel_id', '?')}"
        if entry.action == "digest.schedule":
            spec = DigestSpec.from_signature(str(details.get("schedule", "")))
            return f"scheduled {where} {spec.describe() if spec else details.get('schedule')}"
        if entry.action == "digest.now":
            return f"posted {where} now ({details.get('outcome', 'no outcome recorded')})"
        if entry.action == "digest.off":
            return f"switched off {where}"
    if entry.action.startswith("event.") and "event_id" in details:
        done = {"event.add": "added", "event.edit": "edited", "event.cancel": "cancelled"}.get(entry.action)
        if done:
            changed = details.get("changed")
            return f"{done} event #{details['event_id']}" + (f" ({', '.join(changed)})" if changed else "")
    extra = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in sorted(details.items()))
    return entry.action.replace(".", " ").replace("_", " ") + (f" ({extra})" if extra else "")
