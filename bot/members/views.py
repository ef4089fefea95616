"""What the members' commands show: a profile, a saved change, roles, the audit log, and "which one?"."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from bot.audit import AuditWording
from bot.members.errors import MemberRefused, NameCannotBeCleared, NoProfileToConfirm
from bot.members.profile import LABELS, field_value
from bot.members.roles import (
    GRANTABLE_ROLES,
    ROLE_PURPOSE,
    RoleAudit,
    RoleChange,
    RoleNotices,
    a_role,
)
from bot.members.service import AmbiguousMember, AuditLog, ProfileChange, member_label
from bot.reply import INLINE_COMMAND_CHARS, Button, Field, Reply, Section
from bot.sanitize import safe_text
from bot.tables import text_table
from config.errors import RefusalWording, WordedError
from config.vocabulary import country_name
from storage.models import AuditEntry, Member

# --- profile --------------------------------------------------------------------------------------

_LISTED = ("name", "organisation", "sector", "country", "timezone", "role", "expertise", "interests")


def profile_sections(member: Member) -> list[Section]:
    fields = [
        Field("Role", member.role) if name == "role" else Field(LABELS[name], field_value(name, member))
        for name in _LISTED
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


def profile(member: Member) -> Reply:
    return Reply(sections=profile_sections(member), private=True)


def profile_saved(change: ProfileChange) -> Reply:
    """Only the field that was touched: the whole profile is one `profile` away."""
    label = LABELS[change.field].lower()
    before, after = change.before, change.after
    footer = Section(context="`profile` shows your whole profile.")
    if after == before:
        return Reply(text=f"Your {label} was already {after}; nothing changed.", sections=[footer], private=True)
    text = f"Saved: {label} cleared (was {before})." if after == "—" else (
        f"Saved: {label} = {after}" + (f" (was {before})." if before != "—" else _full_stop(after))
    )
    if change.field == "timezone" and FIXED_OFFSET.fullmatch(after):
        text += f"\n{FIXED_OFFSET_NOTE}"
    return Reply(text=text, sections=[footer], private=True, tone="success")


def _full_stop(value: str) -> str:
    """The full stop that ends "Saved: bio = …", unless the value already ends a sentence ("…programmes.")."""
    return "" if value.endswith((".", "!", "?", "…")) else "."


# A time zone given as an offset ("UTC+3", as the profile shows it) keeps that offset all year.
FIXED_OFFSET = re.compile(r"UTC[+-]\d{1,2}")
FIXED_OFFSET_NOTE = (
    "A fixed offset does not follow summer time; where the clocks change, your city (`profile set timezone "
    "Copenhagen`) keeps event times right all year."
)


# --- roles ----------------------------------------------------------------------------------------


def own_role(role: str, admins: list[str]) -> Reply:
    fields = [
        Field("Your role", role),
        Field("What it allows", ROLE_PURPOSE.get(role, "—")),
        Field("Admins", ", ".join(admins) if admins else "set in the configuration by whoever runs Lighthouse"),
    ]
    note = "Admins grant the expert and coordinator roles with `role grant <member> <role>`."
    return Reply(sections=[Section(title="Roles", fields=fields, context=note)], private=True)


def role_list(admins: list[str], holders: list[Member], configured_admins: int) -> Reply:
    rows = [("admin", name, "", "", "") for name in admins] or [("admin", "none known yet", "", "", "")]
    for name in GRANTABLE_ROLES:
        held = [member for member in holders if member.role == name]
        rows += [_holder_row(name, member) for member in held] or [(name, "nobody", "", "", "")]
    table = text_table(("Role", "Member", "Organisation", "Country", "Pick with"), rows)
    unknown = configured_admins - len(admins)
    context = f"{configured_admins} admin account(s) configured"
    if unknown > 0:
        context += f"; {unknown} of them have not talked to me yet"
    return Reply(sections=[Section(title="Roles", text=table, context=context + ".")], private=True)


def _holder_row(role: str, member: Member) -> tuple[str, str, str, str, str]:
    organisation = member.organisation.name if member.organisation else "—"
    return (role, member.display_name, organisation, country_name(member.country), f"member:{member.id}")


class RoleWording:
    """The direct message to the member whose role changed (`roles.RoleNotices`)."""

    def role_changed(self, change: RoleChange) -> Reply:
        if change.action == "grant":
            told = f"An admin gave you the {change.role} role in Lighthouse. Type `help` to see what you can do now."
        else:
            told = f"An admin removed your {change.role} role in Lighthouse; you are a member."
        return Reply(text=told, tone="info")


ROLE_NOTICES: RoleNotices = RoleWording()


def role_change_done(change: RoleChange) -> Reply:
    """The answer to the admin who changed it."""
    name = change.member.display_name
    if change.action == "grant":
        done = f"{name} is now {a_role(change.role)}"
        if change.previous != "member":
            done += f" (was {a_role(change.previous)}; a member holds one role)"
    else:
        done = f"{name} is no longer {a_role(change.role)}"
    return Reply(text=done + ".", tone="success", private=True)


def which_member(several: AmbiguousMember, command_for: Callable[[int], str]) -> Reply:
    """Which one? A button per candidate that runs `command_for(candidate's member id)`."""
    shown = several.token.removeprefix("@")[:40]
    return Reply(
        text=f"Which “{shown}” do you mean? {len(several.choices)} members match.",
        sections=[
            Section(text=label, buttons=[Button("This one", command_for(member_id))])
            for member_id, label in several.choices
        ],
        private=True,
    )


def did_you_mean_member(typed: str, near: list[tuple[Member, str]], command_for: Callable[[Member, str], str]) -> Reply:
    """Nobody has the name typed, but it may be a typo of these: a button per member that runs
    `command_for(member, the words typed after the name)`."""
    shown = safe_text(typed.removeprefix("@")[:40])
    return Reply(
        text=f"I don't know a member “{shown}”. Did you mean:",
        sections=[Section(text=member_label(member), buttons=[Button("This one", command_for(member, rest))])
                  for member, rest in near],
        private=True,
    )


def organisation_meant(typed: str, near: list[str]) -> Reply:
    """No organisation has the name typed, but it is a typo's few edits from these: one button each, and one
    for a new organisation of that name after all."""
    shown = safe_text(typed[:80])

    def offered(text: str, label: str, command: str) -> Section:
        # A command too long to carry as it is is typed instead (it holds what the member typed).
        if len(command) <= INLINE_COMMAND_CHARS:
            return Section(text=text, buttons=[Button(label, command)])
        return Section(text=f"{text}: type `{safe_text(command)}`")

    return Reply(
        text=f"There is no organisation “{shown}” yet. Did you mean:",
        sections=[
            *(offered(name, "This one", f"profile set organisation {name}") for name in near),
            offered(f"A new organisation: “{shown}”", "Add it", f"profile set organisation --new {typed}"),
        ],
        private=True,
    )


def profile_linked(title: str) -> Reply:
    return Reply(
        text=f"Linked: the expert profile “{safe_text(title)}” is now yours. `experts` finds you through it, "
        "with an **Introduce me** button; `privacy consent expert-search off` hides you, and `privacy erase` "
        "removes it.",
        private=True,
        tone="success",
    )


# --- what the members service refused ------------------------------------------------------------


def refusal(error: MemberRefused) -> tuple[str, str | None]:
    """The message and hint for what the members service refused."""
    match error:
        case NameCannotBeCleared():
            return "Your name cannot be cleared; set another one instead.", None
        case NoProfileToConfirm(profile_id=profile_id):
            return (
                f"No expert profile “{safe_text(profile_id)}” is waiting for you to confirm it.",
                "Whoever maintains the knowledge folder can tell you its id: the profile must name your own "
                "account in its `member:` field.",
            )
    raise AssertionError(f"no wording for {error!r}")


REFUSALS: dict[type[WordedError], RefusalWording] = {MemberRefused: refusal}


# --- the audit log --------------------------------------------------------------------------------

ENTRIES_PER_SECTION = 10
HEADER = ("When (UTC)", "Who", "What")


def audit_log(log: AuditLog, wording: Mapping[str, AuditWording]) -> Reply:
    """The entries as a table; each action worded as the feature that writes it words it (`wording`)."""
    if not log.entries:
        return Reply(text="The audit log is empty.", private=True)
    rows = [_row(entry, actor, log.subjects, wording) for entry, actor in log.entries]
    # Each section is a table of its own with the header: pages split between sections.
    sections = [
        Section(text=text_table(HEADER, rows[start : start + ENTRIES_PER_SECTION]))
        for start in range(0, len(rows), ENTRIES_PER_SECTION)
    ]
    return Reply(text=f"Audit log, newest first ({len(rows)} entries):", sections=sections, private=True)


def _row(
    entry: AuditEntry, actor: Member | None, subjects: dict[int, str], wording: Mapping[str, AuditWording]
) -> tuple[str, str, str]:
    when = entry.at.strftime("%Y-%m-%d %H:%M")
    # Labels with organisation and member id: two members of one name are told apart.
    who = member_label(actor) if actor else ("an erased member" if entry.details.get("actor_erased") else "Lighthouse")
    return when, who, _describe(entry, subjects, wording)


def _describe(entry: AuditEntry, subjects: dict[int, str], wording: Mapping[str, AuditWording]) -> str:
    details = entry.details or {}
    subject_id = details.get("subject_member_id")
    subject = subjects.get(subject_id, f"member:{subject_id}") if isinstance(subject_id, int) else "an erased member"
    words = wording.get(entry.action)
    described = words(details, subject) if words is not None else None
    if described:
        return described
    extra = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in sorted(details.items()))
    return entry.action.replace(".", " ").replace("_", " ") + (f" ({extra})" if extra else "")


AUDIT_WORDING: dict[str, AuditWording] = {
    RoleAudit.GRANT: lambda details, subject: (
        f"granted {details.get('role')} to {subject} (was {details.get('previous_role')})"
    ),
    RoleAudit.REVOKE: lambda details, subject: f"revoked {details.get('role')} from {subject}",
}
