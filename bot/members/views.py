"""What the members' commands show: a profile, a saved change, roles, the audit log, and "which one?"."""

from __future__ import annotations

from collections.abc import Callable

from bot.digests.schedule import DigestSpec
from bot.members.errors import MemberRefused, NameCannotBeCleared
from bot.members.profile import LABELS, field_value
from bot.members.roles import GRANTABLE_ROLES, ROLE_PURPOSE, RoleChange, RoleNotices, a_role
from bot.members.service import AmbiguousMember, AuditLog, ProfileChange, member_label
from bot.reply import Button, Field, Reply, Section
from bot.tables import text_table
from config.errors import word_errors
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
        f"Saved: {label} = {after}" + (f" (was {before})." if before != "—" else ".")
    )
    return Reply(text=text, sections=[footer], private=True, tone="success")


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
        rows += [
            (name, member.display_name, member.organisation.name if member.organisation else "—",
             country_name(member.country), f"member:{member.id}")
            for member in held
        ] or [(name, "nobody", "", "", "")]
    table = text_table(("Role", "Member", "Organisation", "Country", "Pick with"), rows)
    unknown = configured_admins - len(admins)
    context = f"{configured_admins} admin account(s) configured"
    if unknown > 0:
        context += f"; {unknown} of them have not talked to me yet"
    return Reply(sections=[Section(title="Roles", text=table, context=context + ".")], private=True)


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


# --- what the members service refused ------------------------------------------------------------


def refusal(error: MemberRefused) -> tuple[str, str | None]:
    """The message and hint for what the members service refused."""
    match error:
        case NameCannotBeCleared():
            return "Your name cannot be cleared; set another one instead.", None
    raise AssertionError(f"no wording for {error!r}")


word_errors(MemberRefused, refusal)


# --- the audit log --------------------------------------------------------------------------------

ENTRIES_PER_SECTION = 10
HEADER = ("When (UTC)", "Who", "What")


def audit_log(log: AuditLog) -> Reply:
    if not log.entries:
        return Reply(text="The audit log is empty.", private=True)
    rows = [_row(entry, actor, log.subjects) for entry, actor in log.entries]
    # Each section is a table of its own with the header: pages split between sections.
    sections = [
        Section(text=text_table(HEADER, rows[start : start + ENTRIES_PER_SECTION]))
        for start in range(0, len(rows), ENTRIES_PER_SECTION)
    ]
    return Reply(text=f"Audit log, newest first ({len(rows)} entries):", sections=sections, private=True)


def _row(entry: AuditEntry, actor: Member | None, subjects: dict[int, str]) -> tuple[str, str, str]:
    when = entry.at.strftime("%Y-%m-%d %H:%M")
    # Labels with organisation and member id: two members of one name are told apart.
    who = member_label(actor) if actor else ("an erased member" if entry.details.get("actor_erased") else "Lighthouse")
    return when, who, _describe(entry, subjects)


def _describe(entry: AuditEntry, subjects: dict[int, str]) -> str:
    details = entry.details or {}
    for describe in _DESCRIBERS:
        described = describe(entry, details, subjects)
        if described:
            return described
    extra = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in sorted(details.items()))
    return entry.action.replace(".", " ").replace("_", " ") + (f" ({extra})" if extra else "")


# Each `_describe_*_action` words the entries of one kind, and returns None for any other entry.


def _describe_member_action(entry: AuditEntry, details: dict, subjects: dict[int, str]) -> str | None:
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
    return None


def _describe_digest_action(entry: AuditEntry, details: dict, subjects: dict[int, str]) -> str | None:
    if not entry.action.startswith("digest."):
        return None
    where = f"the digest of {details.get('platform', '?')} channel {details.get('channel_id', '?')}"
    if entry.action == "digest.schedule":
        spec = DigestSpec.from_signature(str(details.get("schedule", "")))
        return f"scheduled {where} {spec.describe() if spec else details.get('schedule')}"
    if entry.action == "digest.now":
        return f"posted {where} now ({details.get('outcome', 'no outcome recorded')})"
    if entry.action == "digest.off":
        return f"switched off {where}"
    return None


def _describe_event_action(entry: AuditEntry, details: dict, subjects: dict[int, str]) -> str | None:
    if not (entry.action.startswith("event.") and "event_id" in details):
        return None
    done = {"event.add": "added", "event.edit": "edited", "event.cancel": "cancelled"}.get(entry.action)
    if not done:
        return None
    changed = details.get("changed")
    return f"{done} event #{details['event_id']}" + (f" ({', '.join(changed)})" if changed else "")


def _describe_community_action(entry: AuditEntry, details: dict, subjects: dict[int, str]) -> str | None:
    if not entry.action.startswith("community."):
        return None
    question, answer = details.get("question_id"), details.get("answer_id")
    return {
        "community.asked": f"asked the community (question #{question})",
        "community.answered": f"answered question #{question} (answer #{answer})",
        "community.helpful": f"marked answer #{answer} to question #{question} helpful",
        "community.kept": f"let answer #{answer} be kept as knowledge",
        "community.declined": f"chose not to keep answer #{answer} as knowledge",
        "community.withdrawn": f"took answer #{answer} out of the knowledge base",
        "community.closed": f"closed question #{question}",
        "community.removed": f"removed question #{question}",
        "community.channel": f"chose {details.get('platform')} channel {details.get('channel')} for community questions",
    }.get(entry.action)


_DESCRIBERS = (_describe_member_action, _describe_digest_action, _describe_event_action, _describe_community_action)
