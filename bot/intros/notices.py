"""The messages the introduction flow sends on its own: the request to the target, the note when a request
closes, the introduction and the follow-up (the service's `IntroNotices`)."""

from __future__ import annotations

from bot.intros.dates import closes, day
from bot.intros.service import IntroNotices
from bot.intros.views import member_name, rating_buttons
from bot.reply import Button, Field, Reply, Section
from bot.sanitize import safe_text
from config.vocabulary import SECTORS, THEMES, country_name, parse_theme
from storage.models import Introduction, Member


def _known(member: Member | None, snapshot: dict) -> tuple[str | None, str | None, str | None]:
    """Organisation, sector and country: from the profile as it is, else as it was when the request was made."""
    if member is None:
        return snapshot.get("organisation"), snapshot.get("sector"), snapshot.get("country")
    organisation = member.organisation.name if member.organisation else None
    return (
        organisation or snapshot.get("organisation"),
        member.sector or snapshot.get("sector"),
        member.country or snapshot.get("country"),
    )


def _profile_fields(member: Member | None, snapshot: dict) -> list[Field]:
    organisation, sector, country = _known(member, snapshot)
    fields = [
        Field("Organisation", organisation or "—"),
        Field("Sector", SECTORS.get(sector, sector) if sector else "—"),
        Field("Country", country_name(country)),
    ]
    if member is None:
        return fields
    if member.expertise:
        fields.append(Field("Expertise", ", ".join(member.expertise)))
    if member.interests:
        fields.append(Field("Interests", ", ".join(member.interests)))
    return fields


def _topics(member: Member) -> dict[str, str]:
    return {" ".join(item.lower().split()): item for item in [*member.expertise, *member.interests]}


def _themes(member: Member) -> set[str]:
    return {theme for item in [*member.expertise, *member.interests] if (theme := parse_theme(item))}


def _shared_reasons(requester: Member, target: Member) -> list[str]:
    reasons = []
    mine, theirs = _topics(requester), _topics(target)
    shared = [mine[key] for key in mine if key in theirs]
    if shared:
        reasons.append("You share an interest in " + ", ".join(shared) + ".")
    themes = sorted(_themes(requester) & _themes(target) - {parse_theme(item) for item in shared})
    if themes:
        reasons.append("You both work on " + ", ".join(THEMES[t].lower() for t in themes) + ".")
    return reasons


def _differs(one: str | None, other: str | None) -> bool:
    return bool(one and other and one != other)


def _perspective_reasons(requester: Member, target: Member) -> list[str]:
    reasons = []
    if _differs(requester.sector, target.sector):
        reasons.append(
            f"You bring two sectors together: {SECTORS.get(requester.sector)} and {SECTORS.get(target.sector)}."
        )
    if _differs(requester.country, target.country):
        reasons.append(
            f"You work in different countries: {country_name(requester.country)} and {country_name(target.country)}."
        )
    return reasons


def why_they_should_talk(intro: Introduction, requester: Member, target: Member) -> list[str]:
    """The reasons, most specific first: what was asked, shared topics and themes, different perspectives."""
    reasons = []
    if intro.reason:
        reasons.append(f"{requester.display_name} asked because: “{safe_text(intro.reason)}”")
    return reasons + _shared_reasons(requester, target) + _perspective_reasons(requester, target)


def _meet_line(requester: Member, target: Member, reader: Member | None, other: Member | None) -> str:
    if reader is None:
        first, second = requester.display_name, target.display_name
        return f"{first}, meet {second}. {second}, meet {first}."
    return f"{reader.display_name}, meet {other.display_name if other else 'your contact'}."


def _where_to_reach(other: Member) -> Section:
    where = ", ".join(f"{i.platform} as {i.display_name or i.platform_user_id}" for i in other.identities)
    return Section(text=f"You can reach {other.display_name} on {where}.")


class IntroNoticeWording:
    """Words each message the introduction service sends; `NOTICES` is the one the commands pass in."""

    def request_for_target(self, intro: Introduction, requester: Member, target: Member) -> Reply:
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

    def request_closed(self, intro: Introduction, target: Member | None) -> Reply:
        return Reply(
            text=(
                f"Your introduction request to {member_name(target)} (#{intro.id}) has closed without an introduction "
                "this time. People are often busy; it says nothing about you or your question."
            ),
            sections=[Section(context="Find someone else with `experts <topic>`, or ask again later with `intro`.")],
            direct=True,
        )

    def introduction(
        self,
        intro: Introduction,
        requester: Member,
        target: Member,
        followup_days: int,
        *,
        reader: Member | None = None,
        other: Member | None = None,
    ) -> Reply:
        """The introduction: to both at once in a group, or to `reader` about `other` by direct message."""
        text = _meet_line(requester, target, reader, other)
        why = why_they_should_talk(intro, requester, target) or [f"{requester.display_name} asked to meet you."]
        sections = [
            Section(title=requester.display_name, fields=_profile_fields(requester, intro.requester_snapshot or {})),
            Section(title=target.display_name, fields=_profile_fields(target, intro.target_snapshot or {})),
            Section(title="Why I think you should talk", text="\n".join(f"• {line}" for line in why)),
        ]
        if reader is not None and other is not None and other.identities:
            sections.append(_where_to_reach(other))
        sections.append(
            Section(
                context=f"Introduction #{intro.id}. In {followup_days} days I'll ask whether you met and how useful it was."
            )
        )
        return Reply(text=text, sections=sections, direct=True, tone="success")

    def followup(self, intro: Introduction, member: Member, other: Member | None, *, ask_meeting: bool) -> Reply:
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
            Section(context=f"Only the partnership's totals use your answers; {member_name(other)} never sees your rating.")
        )
        return Reply(
            text=f"On {day(intro.responded_at, member)} I introduced you to {member_name(other)} (#{intro.id}).",
            sections=sections,
            direct=True,
        )


NOTICES: IntroNotices = IntroNoticeWording()
