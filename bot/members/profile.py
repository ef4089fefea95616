"""The profile's fields: what members may type for each, how a typed value is checked, and each field's
value in words (as `profile` lists it and as a change is confirmed)."""

from __future__ import annotations

from collections.abc import Callable

from config.errors import UserError
from config.vocabulary import (
    SECTORS,
    country_name,
    require_country,
    require_sector,
    require_timezone,
    zone_label,
)
from storage.models import Member

MAX_LIST_ITEMS = 20
MAX_ITEM_CHARS = 80

FIELD_ALIASES = {
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
LABELS = {
    "name": "Name", "organisation": "Organisation", "sector": "Sector", "country": "Country",
    "timezone": "Time zone", "expertise": "Expertise", "interests": "Interests", "bio": "Bio",
}
# The fields in the order `profile` shows them; the command's usage and Discord's choices are built from it.
FIELDS = tuple(LABELS)


def field_value(field: str, member: Member) -> str:
    """A field as the profile lists it ("—" when empty)."""
    return _FIELD_WORDS.get(field, _bio)(member)


def _organisation(member: Member) -> str:
    return member.organisation.name if member.organisation else "—"


def _sector(member: Member) -> str:
    if member.sector:
        return SECTORS.get(member.sector, "—")
    inherited = member.organisation.sector if member.organisation else None
    return f"{SECTORS.get(inherited, inherited)} {FROM_ORGANISATION}" if inherited else "—"


def _country(member: Member) -> str:
    if member.country:
        return country_name(member.country)
    inherited = member.organisation.country if member.organisation else None
    return f"{country_name(inherited)} {FROM_ORGANISATION}" if inherited else "—"


# A sector or country left empty is the organisation's wherever others see the member (introductions,
# exchanges: bot.indicators.exchanges.profile_snapshot): the profile says so, rather than "—".
FROM_ORGANISATION = "(from your organisation)"


def _bio(member: Member) -> str:
    return member.bio or "—"


# Each field in words; any other field is the bio.
_FIELD_WORDS: dict[str, Callable[[Member], str]] = {
    "name": lambda member: member.display_name,
    "organisation": _organisation,
    "sector": _sector,
    "country": _country,
    "timezone": lambda member: zone_label(member.timezone) if member.timezone else "—",
    "expertise": lambda member: ", ".join(member.expertise) or "—",
    "interests": lambda member: ", ".join(member.interests) or "—",
}


def changed_value(field: str, member: Member) -> str:
    """A field as a change confirms it: the country also gives its code, a long bio is cut short."""
    if field == "country" and member.country:
        return f"{country_name(member.country)} ({member.country})"
    if field == "bio":
        bio = member.bio or "—"
        return bio if len(bio) <= 80 else bio[:79] + "…"
    return field_value(field, member)


def validated(field: str, value: str) -> object:
    """The stored form of a typed value; UserError when it cannot be one."""
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


def _short_text(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = " ".join(value.split()) if limit <= 200 else value.strip()
        if len(text) > limit:
            raise UserError(f"That is {len(text)} characters; the limit is {limit}.")
        return text

    return check
