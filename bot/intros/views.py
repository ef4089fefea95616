"""What the introduction flow says: the request to the target, the introduction, notes and follow-ups."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.reply import Button, Field, Reply, Section
from config.vocabulary import SECTORS, THEMES, country_name, parse_theme
from storage.models import Introduction, Member

_BRACKET_MENTION = re.compile(r"<(?:@[!&]?|!|#)([^>]*)>")
_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)


def safe_text(text: str) -> str:
    """User text shown to others, unable to ping anyone: platform mentions become plain words."""
    text = _BRACKET_MENTION.sub(lambda m: "@" + m.group(1).split("|")[-1], text)
    return _MASS_MENTION.sub(lambda m: "@\u200b" + m.group(1), text)


def _local(moment: datetime, reader: Member | None) -> datetime:
    """The moment in the reader's time zone, UTC when they have not set one."""
    return moment.astimezone(ZoneInfo(reader.timezone) if reader is not None and reader.timezone else UTC)


def day(moment: datetime | None, reader: Member | None) -> str:
    """A date in the reader's time zone (UTC when they set none), e.g. "Mon 9 Nov 2026"."""
    if moment is None:
        return "—"
    moment = _local(moment, reader)
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def closes(intro: Introduction, reader: Member | None) -> str:
    """When a request closes, for this reader: the one stored instant, with the time and zone so that the
    requester and the target, in different zones, read the same moment (e.g. "Mon 9 Nov 2026, 10:00 CET")."""
    if intro.expires_at is None:
        return "—"
    moment = _local(intro.expires_at, reader)
    return f"{day(moment, reader)}, {moment:%H:%M} {moment.tzname()}"


def _name(member: Member | None) -> str:
    return member.display_name if member is not None else "a former member"


def _profile_fields(member: Member | None, snapshot: dict) -> list[Field]:
    organisation = (member.organisation.name if member is not None and member.organisation else None) or snapshot.get(
        "organisation"
    )
    sector = (member.sector if member is not None else None) or snapshot.get("sector")
    country = (member.country if member is not None else None) or snapshot.get("country")
    fields = [
        Field("Organisation", organisation or "—"),
        Field("Sector", SECTORS.get(sector, sector) if sector else "—"),
        Field("Country", country_name(country)),
    ]
    if member is not None and member.expertise:
        fields.append(Field("Expertise", ", ".join(member.expertise)))
    if member is not None and member.interests:
        fields.append(Field("Interests", ", ".join(member.interests)))
    return fields


def _topics(member: Member) -> dict[str, str]:
    return {" ".join(item.lower().split()): item for item in [*member.expertise, *member.interests]}


def _themes(member: Member) -> set[str]:
    return {theme for item in [*member.expertise, *member.interests] if (theme := parse_theme(item))}


def why_they_should_talk(intro: Introduction, requester: Member, target: Member) -> list[str]:
    """The reasons, most specific first: what was asked, shared topics and themes, different perspectives."""
    reasons = []
    if intro.reason:
        reasons.append(f"{requester.display_name} asked because: “{safe_text(intro.reason)}”")
    mine, theirs = _topics(requester), _topics(target)
    shared = [mine[key] for key in mine if key in theirs]
    if shared:
        reasons.append("You share an interest in " + ", ".join(shared) + ".")
    themes = sorted(_themes(requester) & _themes(target) - {parse_theme(item) for item in shared})
    if themes:
        reasons.append("You both work on " + ", ".join(THEMES[t].lower() for t in themes) + ".")
    if requester.sector and target.sector and requester.sector != target.sector:
        reasons.append(
            f"You bring two sectors together: {SECTORS.get(requester.sector)} and {SECTORS.get(target.sector)}."
        )
    if requester.country and target.country and requester.country != target.country:
        reasons.append(
            f"You work in different countries: {country_name(requester.country)} and {country_name(target.country)}."
        )
    return reasons


def request_for_target(intro: Introduction, requester: Member, target: Member) -> Reply:
    reason = safe_text(intro.reason or "")
    return Reply(
        text=f"{requester.display_name} would like to be introduced to you.",
        sections=[
            Section(
                title=requester.display_name,
                text=f"Why: “{reason}”" if reason else "",
                fields=_profile_fields(requester, intro.requester_snapshot or {}),
            ),
            Section(
                context=(
                    f"Request #{intro.id}, open until {closes(intro, target)}. "
                    f"If you decline or say not now, {requester.display_name} is not told why, or even that "
                    "you answered. `intro pause <weeks>` stops new requests for a while."
                ),
                buttons=[
                    Button("Accept", f"intro accept {intro.id}", "primary"),
                    Button("Decline", f"intro decline {intro.id}", "danger"),
                    Button("Not now", f"intro notnow {intro.id}"),
                ],
            ),
        ],
        direct=True,
    )


def request_closed(intro: Introduction, target: Member | None) -> Reply:
    return Reply(
        text=(
            f"Your introduction request to {_name(target)} (#{intro.id}) has closed without an introduction "
            "this time. People are often busy; it says nothing about you or your question."
        ),
        sections=[Section(context="Find someone else with `experts <topic>`, or ask again later with `intro`.")],
        direct=True,
    )


def introduction(
    intro: Introduction,
    requester: Member,
    target: Member,
    followup_days: int,
    *,
    reader: Member | None = None,
    other: Member | None = None,
) -> Reply:
    """The introduction: to both at once in a group, or to `reader` about `other` by direct message."""
    if reader is None:
        first, second = requester.display_name, target.display_name
        text = f"{first}, meet {second}. {second}, meet {first}."
    else:
        text = f"{reader.display_name}, meet {other.display_name if other else 'your contact'}."
    why = why_they_should_talk(intro, requester, target) or [f"{requester.display_name} asked to meet you."]
    sections = [
        Section(title=requester.display_name, fields=_profile_fields(requester, intro.requester_snapshot or {})),
        Section(title=target.display_name, fields=_profile_fields(target, intro.target_snapshot or {})),
        Section(title="Why I think you should talk", text="\n".join(f"• {line}" for line in why)),
    ]
    if reader is not None and other is not None and other.identities:
        where = ", ".join(f"{i.platform} as {i.display_name or i.platform_user_id}" for i in other.identities)
        sections.append(Section(text=f"You can reach {other.display_name} on {where}."))
    sections.append(
        Section(
            context=f"Introduction #{intro.id}. In {followup_days} days I'll ask whether you met and how useful it was."
        )
    )
    return Reply(text=text, sections=sections, direct=True, tone="success")


def rating_buttons(intro_id: int) -> list[Button]:
    return [Button(str(score), f"intro rate {intro_id} {score}") for score in range(1, 6)]


def followup(intro: Introduction, member: Member, other: Member | None, *, ask_meeting: bool) -> Reply:
    sections = []
    if ask_meeting:
        sections.append(
            Section(
                title="Did you meet?",
                buttons=[
                    Button("Yes, we met", f"intro met {intro.id} yes", "primary"),
                    Button("Not (yet)", f"intro met {intro.id} no"),
                ],
            )
        )
    sections.append(Section(title="Was it useful? (1 = not at all, 5 = very)", buttons=rating_buttons(intro.id)))
    sections.append(
        Section(context=f"Only the partnership's totals use your answers; {_name(other)} never sees your rating.")
    )
    return Reply(
        text=f"On {day(intro.responded_at, member)} I introduced you to {_name(other)} (#{intro.id}).",
        sections=sections,
        direct=True,
    )
