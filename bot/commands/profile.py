"""`profile`: show or change your own profile (organisation, sector, country, expertise, ...)."""

from __future__ import annotations

from collections.abc import Callable

from bot.commands import command
from bot.context import CommandContext
from bot.errors import UserError
from bot.members import get_or_create_organisation
from bot.reply import Field, Reply, Section
from bot.vocabulary import SECTORS, country_name, require_country, require_sector, require_timezone
from knowledge.profiles import sync_member_profile
from knowledge.service import get_knowledge
from storage.models import Member

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


@command(
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
)
async def profile(ctx: CommandContext) -> Reply:
    args = ctx.args
    if not args or args[0].lower() == "show":
        return Reply(sections=profile_sections(ctx.member), private=True)
    action = args[0].lower()
    if action not in {"set", "clear"}:
        raise UserError(
            f"`profile {action[:20]}` is not something I can do.",
            hint="Use `profile`, `profile set <field> <value>` or `profile clear <field>`.",
        )
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
        await get_knowledge(ctx.core).embed_soon_and_wait(EMBED_WAIT_SECONDS)
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
