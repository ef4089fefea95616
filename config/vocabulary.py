"""The partnership's shared vocabulary: sectors, themes, roles, countries and time zones."""

from __future__ import annotations

import gettext
from enum import StrEnum
from functools import cache
from zoneinfo import available_timezones

import pycountry

from config.typos import typos_of

SECTORS: dict[str, str] = {
    "municipality": "Municipality",
    "region": "Region",
    "hospital": "Hospital",
    "research": "Research institution",
    "sme": "SME",
    "large_company": "Large company",
    "digital_developer": "Digital developer",
    "patient_organisation": "Patient / citizen organisation",
    "other": "Other",
}

THEMES: dict[str, str] = {
    "obesity": "Obesity",
    "mental_health": "Mental health",
    "health_innovation": "Health innovation",
    "equity": "Health equity",
    "health_literacy": "Health literacy",
}


class Role(StrEnum):
    """What a member may do. A str enum, so a role compares equal to the word stored in the database; a word
    that names no role is refused where a command declares it (`Role(word)` raises), so a typo can never
    open a command to everyone."""

    MEMBER = "member"
    # Marks people whose expertise is known; grants nothing beyond `member`.
    EXPERT = "expert"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @classmethod
    def held(cls, word: str) -> Role:
        """The role a stored word gives its member: an unknown word (a hand-edited row) gives the least."""
        try:
            return cls(word)
        except ValueError:
            return cls.MEMBER


_RANKS = {Role.MEMBER: 0, Role.EXPERT: 0, Role.COORDINATOR: 2, Role.ADMIN: 3}

# Ordered by what they may do.
ROLES: tuple[Role, ...] = tuple(Role)

_SECTOR_ALIASES = {
    "large company": "large_company",
    "company": "large_company",
    "digital developer": "digital_developer",
    "developer": "digital_developer",
    "patient organisation": "patient_organisation",
    "patient organization": "patient_organisation",
    "citizen organisation": "patient_organisation",
    "university": "research",
    "research institution": "research",
}


def role_rank(role: str) -> int:
    """How much `role` may do; a word that names no role raises ValueError (never ranks as a member)."""
    return Role(role).rank


def _slug(value: str) -> str:
    return " ".join(value.strip().lower().replace("-", " ").replace("/", " ").split())


def parse_sector(value: str) -> str | None:
    key = _slug(value)
    if key.replace(" ", "_") in SECTORS:
        return key.replace(" ", "_")
    return _SECTOR_ALIASES.get(key)


def parse_theme(value: str) -> str | None:
    key = _slug(value).replace(" ", "_")
    if key in THEMES:
        return key
    for slug, label in THEMES.items():
        if _slug(label).replace(" ", "_") == key:
            return slug
    return {"literacy": "health_literacy", "innovation": "health_innovation", "mental": "mental_health"}.get(key)


# Country names are also understood in these languages (pycountry ships the ISO 3166 translations): the
# partnership's own (Danmark, Sverige, Norge, Suomi, Deutschland...) and their neighbours'.
LOCAL_NAME_LANGUAGES = (
    "da", "sv", "nb_NO", "nn", "fi", "is", "fo", "kl", "et", "lv", "lt", "de", "nl", "fr", "it", "es", "pt",
    "pl", "cs", "sk", "sl", "hr", "hu", "ro", "el", "bg", "ga", "cy", "sw",
)


@cache
def _country_names() -> dict[str, str]:
    """Every name a country goes by (English, and translated into LOCAL_NAME_LANGUAGES), case-folded, to
    its alpha-2 code. A translated name that means two countries in two languages is left out."""
    english = _english_country_names()
    local = _translated_country_names(english)
    names = {name: next(iter(codes)) for name, codes in local.items() if len(codes) == 1}
    names.update({name.casefold(): code for name, code in english.items()})
    return names


def _english_country_names() -> dict[str, str]:
    """Each country's English name, common name and official name, to its alpha-2 code."""
    english: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if name := getattr(country, attribute, None):
                english[name] = country.alpha_2
    return english


def _translated_country_names(english: dict[str, str]) -> dict[str, set[str]]:
    """Each English name translated into LOCAL_NAME_LANGUAGES, case-folded, to the codes it stands for."""
    local: dict[str, set[str]] = {}
    for language in LOCAL_NAME_LANGUAGES:
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:  # a pycountry build without that language
            continue
        for name, code in english.items():
            local.setdefault(translation.gettext(name).casefold(), set()).add(code)
    return local


def parse_country(value: str) -> str | None:
    """ISO 3166 alpha-2 code for a name (in English or a local language) or an alpha-2/alpha-3 code, or None."""
    text = " ".join(value.split())
    if not text:
        return None
    if text.upper() == "UK":
        return "GB"
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return _country_names().get(text.casefold())


def suggest_country(value: str) -> list[str]:
    """Up to three countries (English names) that what was typed is a typo of (config/typos.py), closest
    first, for "did you mean"."""
    names = _country_names()
    close = typos_of(" ".join(value.split()).casefold(), names)
    return list(dict.fromkeys(country_name(names[name]) for name in close))[:3]


def country_name(code: str | None) -> str:
    if not code:
        return "—"
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


_ZONE_AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian",
               "Pacific")


def _city_key(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


@cache
def _zone_names() -> dict[str, str]:
    """IANA names and their cities ("copenhagen", "new york"), case-folded, to the zone's IANA name."""
    zones = {zone.casefold(): zone for zone in available_timezones()}
    cities: dict[str, list[str]] = {}
    for zone in zones.values():
        if zone.split("/", 1)[0] in _ZONE_AREAS:
            cities.setdefault(_city_key(zone.rsplit("/", 1)[-1]), []).append(zone)
    zones.update({city: found[0] for city, found in cities.items() if len(found) == 1 and city not in zones})
    return zones


def parse_timezone(value: str) -> str | None:
    """An IANA time zone for its name in any case ("europe/copenhagen") or its city ("Copenhagen")."""
    text = value.strip()
    if not text or text.startswith("/") or ".." in text:
        return None
    zones = _zone_names()
    return zones.get(text.casefold()) or zones.get(_city_key(text))


def suggest_timezone(value: str) -> list[str]:
    """Up to three IANA zones whose name or city what was typed is a typo of (config/typos.py), closest first,
    for "did you mean"."""
    zones = _zone_names()
    close = typos_of(_city_key(value), zones)
    return list(dict.fromkeys(zones[name] for name in close))[:3]


def _did_you_mean(suggestions: list[str]) -> str:
    return f"Did you mean {' or '.join(suggestions)}? " if suggestions else ""


# --- The same checks with the user's answer: each refusal lists what is valid ----------------------


def require_sector(value: str) -> str:
    from config.errors import UserError

    sector = parse_sector(value)
    if sector is None:
        raise UserError(f"“{value[:40]}” is not a sector I know.", hint="Valid sectors: " + ", ".join(SECTORS) + ".")
    return sector


def require_theme(value: str) -> str:
    from config.errors import UserError

    theme = parse_theme(value)
    if theme is None:
        raise UserError(f"“{value[:40]}” is not a theme I know.", hint="Valid themes: " + ", ".join(THEMES) + ".")
    return theme


def require_country(value: str, *, examples: str = "Denmark, Danmark, DK, DNK, Kenya, KE") -> str:
    from config.errors import UserError

    code = parse_country(value)
    if code is None:
        raise UserError(
            f"“{value[:40]}” is not a country I know.",
            hint=_did_you_mean(suggest_country(value[:80]))
            + "Write a country as its name, in English or in its own language, or as its ISO 3166 code of two "
            + f"or three letters; for example: {examples}.",
        )
    return code


def require_timezone(value: str) -> str:
    from config.errors import UserError

    zone = parse_timezone(value)
    if zone is None:
        raise UserError(
            f"“{value[:40]}” is not a time zone I know.",
            hint=_did_you_mean(suggest_timezone(value[:80]))
            + "Use an IANA name or its city, for example Europe/Copenhagen, Copenhagen, America/New_York or UTC.",
        )
    return zone
