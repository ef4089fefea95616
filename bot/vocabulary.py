"""The partnership's shared vocabulary: sectors, themes, roles, countries and time zones."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pycountry

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

# Ordered by what they may do; `expert` only marks people, it grants nothing beyond `member`.
ROLES: tuple[str, ...] = ("member", "expert", "coordinator", "admin")

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
    if role == "expert":
        return 0
    return ROLES.index(role) if role in ROLES else 0


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


def parse_country(value: str) -> str | None:
    """ISO 3166 alpha-2 code for a name or an alpha-2/alpha-3 code, or None."""
    text = value.strip()
    if not text:
        return None
    if text.upper() == "UK":
        return "GB"
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return country.alpha_2


def country_name(code: str | None) -> str:
    if not code:
        return "—"
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def parse_timezone(value: str) -> str | None:
    text = value.strip()
    if not text or text.startswith("/") or ".." in text:
        return None
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        matches = [name for name in available_timezones() if name.lower() == text.lower()]
        return matches[0] if matches else None
    return text


# --- The same checks with the user's answer: each refusal lists what is valid ----------------------


def require_sector(value: str) -> str:
    from bot.errors import UserError

    sector = parse_sector(value)
    if sector is None:
        raise UserError(f"“{value[:40]}” is not a sector I know.", hint="Valid sectors: " + ", ".join(SECTORS) + ".")
    return sector


def require_theme(value: str) -> str:
    from bot.errors import UserError

    theme = parse_theme(value)
    if theme is None:
        raise UserError(f"“{value[:40]}” is not a theme I know.", hint="Valid themes: " + ", ".join(THEMES) + ".")
    return theme


def require_country(value: str, *, examples: str = "Denmark, DK, DNK, Sweden, SE, Kenya, KE") -> str:
    from bot.errors import UserError

    code = parse_country(value)
    if code is None:
        raise UserError(
            f"“{value[:40]}” is not an ISO 3166 country name or code.",
            hint=f"Use a name or a code, for example: {examples}.",
        )
    return code


def require_timezone(value: str) -> str:
    from bot.errors import UserError

    zone = parse_timezone(value)
    if zone is None:
        raise UserError(
            f"“{value[:40]}” is not a time zone I know.",
            hint="Use an IANA name, for example Europe/Copenhagen, America/New_York or UTC.",
        )
    return zone
