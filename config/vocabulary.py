"""The partnership's shared vocabulary: sectors, themes, roles, countries and time zones."""

from __future__ import annotations

import gettext
from importlib import resources
import re
import unicodedata
from enum import StrEnum
from functools import cache, lru_cache
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pycountry
from babel import Locale, UnknownLocaleError

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
    key = _slug(unquoted(value))
    if key.replace(" ", "_") in SECTORS:
        return key.replace(" ", "_")
    return _SECTOR_ALIASES.get(key)


def parse_theme(value: str) -> str | None:
    key = _slug(unquoted(value)).replace(" ", "_")
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


# Everyday English names ISO 3166 does not hold (its name for GB is "United Kingdom", for TR "Türkiye"); the
# only hand-written country names: every other name comes from pycountry.
COMMON_COUNTRY_NAMES = {
    "UK": "GB", "Britain": "GB", "Great Britain": "GB", "England": "GB", "Scotland": "GB", "Wales": "GB",
    "Northern Ireland": "GB", "Holland": "NL", "Turkey": "TR", "Ivory Coast": "CI", "UAE": "AE",
}
# A name may start with "the" ("The Netherlands", "the UK"): the article is read past.
_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)


@cache
def _country_names() -> dict[str, str]:
    """Every name a country goes by (English, COMMON_COUNTRY_NAMES, and translated into LOCAL_NAME_LANGUAGES),
    case-folded, to its alpha-2 code. A translated name that means two countries in two languages is left out."""
    english = _english_country_names()
    local = _translated_country_names(english)
    names = {name: next(iter(codes)) for name, codes in local.items() if len(codes) == 1}
    names.update({name.casefold(): code for name, code in english.items()})
    names.update({name.casefold(): code for name, code in COMMON_COUNTRY_NAMES.items()})
    return names


def _english_country_names() -> dict[str, str]:
    """Each country's English name, common name and official name, to its alpha-2 code."""
    english: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if name := getattr(country, attribute, None):
                english[name] = country.alpha_2
    return english


def _translated_country_names(
    english: dict[str, str], languages: tuple[str, ...] = LOCAL_NAME_LANGUAGES
) -> dict[str, set[str]]:
    """Each English name translated into `languages`, case-folded, to the codes it stands for."""
    local: dict[str, set[str]] = {}
    for language in languages:
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:  # a pycountry build without that language
            continue
        for name, code in english.items():
            local.setdefault(translation.gettext(name).casefold(), set()).add(code)
    return local


def unquoted(value: str) -> str:
    """`value` without the quotes it may be typed in ("United Kingdom", 'United Kingdom', “United Kingdom”)."""
    text = value.strip()
    if len(text) >= 2 and text[0] in QUOTES and text[-1] == QUOTES[text[0]]:
        return text[1:-1].strip()
    return text


# Opening quote marks and the marks that close them, straight and typographic (as phones and Slack write them).
QUOTES = {'"': '"', "'": "'", "“": "”", "”": "”", "‘": "’", "’": "’", "«": "»", "„": "“", "‚": "‘"}


def parse_country(value: str) -> str | None:
    """ISO 3166 alpha-2 code for a name (in English or a local language, with or without "the") or an
    alpha-2/alpha-3 code, or None."""
    text = " ".join(unquoted(value).split())
    for name in dict.fromkeys((text, _ARTICLE.sub("", text))):
        if not name:
            continue
        try:
            return pycountry.countries.lookup(name).alpha_2
        except LookupError:
            if code := _country_names().get(name.casefold()):
                return code
    return None


# The languages members ask questions in (knowledge.language), besides English: the country names of
# `country_name_words`.
QUESTION_LANGUAGES = ("da", "sv", "nb_NO", "fi", "de", "nl", "fr", "es", "sw")


@cache
def country_name_words() -> frozenset[str]:
    """Every word of a country's name or code as members write them in a question (English, everyday English,
    and the languages they ask in), case-folded: a word outside it is in no such name. Cheaper than every
    name `parse_country` knows (a quarter of the languages): a search reads each question against it."""
    english = _english_country_names()
    names = {name.casefold() for name in (*english, *COMMON_COUNTRY_NAMES)}
    names.update(_translated_country_names(english, QUESTION_LANGUAGES))
    names.update(code.casefold() for country in pycountry.countries for code in (country.alpha_2, country.alpha_3))
    return frozenset(word for name in names for word in re.findall(r"[^\W_]+", name))


def suggest_country(value: str) -> list[str]:
    """Up to three countries (English names) that what was typed is a typo of (config/typos.py), closest
    first, for "did you mean"."""
    names = _country_names()
    close = typos_of(" ".join(value.split()).casefold(), names)
    return list(dict.fromkeys(country_name(names[name]) for name in close))[:3]


@lru_cache(maxsize=1024)  # every search result shows countries: a dict read, not a pycountry lookup
def country_name(code: str | None) -> str:
    if not code:
        return "—"
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


_ZONE_AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian",
               "Pacific")


def _city_key(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


# Letters that Unicode does not decompose into a base letter and a mark, as they are written without them.
_PLAIN_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ł": "l",
                                "ı": "i"})


def _folded(key: str) -> str:
    """A city key without its accents ("københavn" is "kobenhavn", "reykjavík" "reykjavik")."""
    decomposed = unicodedata.normalize("NFKD", key.translate(_PLAIN_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def _zone_names() -> dict[str, str]:
    """IANA names and their cities, in English ("copenhagen", "new york") and as the zone's city is called in
    LOCAL_NAME_LANGUAGES ("københavn", "helsingfors": the Unicode CLDR's names, from babel), also without
    accents ("kobenhavn"), case-folded, to the zone's IANA name. A city two zones share is left out."""
    zones = {zone.casefold(): zone for zone in available_timezones()}
    english: dict[str, set[str]] = {}
    for zone in zones.values():
        if zone.split("/", 1)[0] in _ZONE_AREAS:
            english.setdefault(_city_key(zone.rsplit("/", 1)[-1]), set()).add(zone)
    local: dict[str, set[str]] = {}
    for language in LOCAL_NAME_LANGUAGES:
        for zone, names in _local_zone_names(language).items():
            if zone in zones.values() and names.get("city"):
                local.setdefault(_city_key(names["city"]), set()).add(zone)
    # The English city first ("kiev" is Europe/Kiev, though some languages call Europe/Kyiv so), then the local
    # names, then both without accents.
    cities = {**{city: found for city, found in local.items() if city not in english}, **english}
    for city, found in list(cities.items()):
        cities.setdefault(_folded(city), found)
    zones.update({city: min(found) for city, found in cities.items() if len(found) == 1 and city not in zones})
    return zones


def _local_zone_names(language: str) -> dict[str, dict[str, str]]:
    try:
        return Locale.parse(language).time_zones
    except (UnknownLocaleError, ValueError):  # a babel build without that language
        return {}


# A fixed offset from UTC as people write it: "GMT+3", "UTC+1", "UTC-05:00", "UTC −5", "+03:00".
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+\-\u2212])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
# IANA's fixed-offset zones run from 12 hours behind UTC to 14 ahead, in whole hours.
_OFFSET_RANGE = {"+": 14, "-": 12}


def _offset(text: str) -> tuple[int, int] | None:
    """(hours, minutes) east of UTC that `text` writes as a fixed offset, or None when it writes none."""
    matched = _OFFSET.match(text.strip())
    if matched is None:
        return None
    sign = -1 if matched.group(1) in "-\u2212" else 1
    return sign * int(matched.group(2)), sign * int(matched.group(3) or 0)


def _offset_zone(hours: int, minutes: int) -> str | None:
    """The IANA zone of a fixed offset: "Etc/GMT-3" is UTC+3 (POSIX signs, the other way round). None for an
    offset IANA has no zone for (not whole hours, or out of range)."""
    if minutes or not -_OFFSET_RANGE["-"] <= hours <= _OFFSET_RANGE["+"]:
        return None
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"


def zone_label(zone: str) -> str:
    """A zone as members read it: a fixed offset as "UTC+3" (its IANA name, "Etc/GMT-3", has the sign the
    other way round); any other zone by its IANA name."""
    matched = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", zone)
    if matched is None:
        return zone
    return f"UTC{'-' if matched.group(1) == '+' else '+'}{matched.group(2)}"


def parse_timezone(value: str) -> str | None:
    """An IANA time zone for its name in any case ("europe/copenhagen"), its city in English or a local
    language ("Copenhagen", "København", "Kobenhavn") or a fixed offset in whole hours ("UTC+3": Etc/GMT-3)."""
    text = unquoted(value)
    if not text or text.startswith("/") or ".." in text:
        return None
    offset = _offset(text)
    if offset is not None:
        return _offset_zone(*offset)
    zones = _zone_names()
    key = _city_key(text)
    return (
        zones.get(text.casefold()) or zones.get(key) or zones.get(_folded(key))
        or _CITY_ZONES.get(_folded(key)) or _country_zone(text)
    )


# Large cities of the community's countries whose zone is named after another city (IANA names a zone after
# one city per region): "Mumbai" is Asia/Kolkata, "Aarhus" Europe/Copenhagen. Keys without accents.
_CITY_ZONES = {
    **dict.fromkeys(("mumbai", "bombay", "delhi", "new delhi", "bangalore", "bengaluru", "chennai", "hyderabad",
                     "pune", "ahmedabad", "kolkata"), "Asia/Kolkata"),
    **dict.fromkeys(("aarhus", "odense", "aalborg", "esbjerg"), "Europe/Copenhagen"),
    **dict.fromkeys(("gothenburg", "goteborg", "malmo", "uppsala", "lund"), "Europe/Stockholm"),
    **dict.fromkeys(("bergen", "trondheim", "stavanger", "tromso"), "Europe/Oslo"),
    **dict.fromkeys(("turku", "abo", "tampere", "espoo", "oulu"), "Europe/Helsinki"),
    **dict.fromkeys(("hamburg", "munich", "munchen", "cologne", "koln", "frankfurt", "dusseldorf", "stuttgart",
                     "bonn"), "Europe/Berlin"),
    **dict.fromkeys(("rotterdam", "the hague", "den haag", "utrecht", "eindhoven"), "Europe/Amsterdam"),
    **dict.fromkeys(("manchester", "birmingham", "leeds", "glasgow", "edinburgh", "cardiff", "bristol"),
                    "Europe/London"),
    **dict.fromkeys(("mombasa", "kisumu", "nakuru", "eldoret"), "Africa/Nairobi"),
    **dict.fromkeys(("osaka", "kyoto", "yokohama", "nagoya", "sapporo"), "Asia/Tokyo"),
    **dict.fromkeys(("washington", "boston", "philadelphia", "atlanta", "miami"), "America/New_York"),
    **dict.fromkeys(("san francisco", "seattle", "san diego", "portland"), "America/Los_Angeles"),
    **dict.fromkeys(("beijing", "shenzhen", "guangzhou"), "Asia/Shanghai"),
    **dict.fromkeys(("barcelona", "valencia", "seville", "sevilla"), "Europe/Madrid"),
    **dict.fromkeys(("lyon", "marseille", "toulouse"), "Europe/Paris"),
}


def _country_zone(text: str) -> str | None:
    """A country's time zone for its name or code, when the whole country keeps one time: all its zones in
    tzdata's zone.tab have the same offsets in January and July ("Denmark", "Kenya", "India", "Germany"; not
    the United States or Spain, with the Canaries)."""
    code = parse_country(text)
    zones = _zones_by_country().get(code or "", [])
    if not zones:
        return None
    seasons = (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC))
    offsets = {tuple(moment.astimezone(ZoneInfo(zone)).utcoffset() for moment in seasons) for zone in zones}
    return zones[0] if len(offsets) == 1 else None


@cache
def _zones_by_country() -> dict[str, list[str]]:
    """Each country's zones, as tzdata's zone.tab lists them (its principal zone first)."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    by_country: dict[str, list[str]] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _, zone = line.split("\t")[:3]
            by_country.setdefault(country, []).append(zone)
    return by_country


def suggest_timezone(value: str) -> list[str]:
    """Up to three IANA zones whose name or city what was typed is a typo of (config/typos.py), closest first,
    for "did you mean". Names with a number (fixed offsets: "GMT+0", "Etc/GMT-3") are never suggested: one
    digit away is another offset, not a typo."""
    zones = _zone_names()
    named = [name for name in zones if not any(char.isdigit() for char in name)]
    close = typos_of(_city_key(value), named)
    return list(dict.fromkeys(zones[name] for name in close))[:3]


def zones_at_offset(hours: int, minutes: int, *, at: datetime | None = None) -> list[str]:
    """Up to three cities' zones that are `hours`:`minutes` ahead of UTC at `at` (now), for a fixed offset
    IANA has no zone for ("UTC+5:30": Asia/Colombo, Asia/Kolkata)."""
    moment = at or datetime.now(UTC)
    wanted = timedelta(hours=hours, minutes=minutes)
    return [zone for zone in _countries_zones() if moment.astimezone(ZoneInfo(zone)).utcoffset() == wanted][:3]


@cache
def _countries_zones() -> list[str]:
    """The zones of tzdata's zone.tab (each country's own zones, without the old names kept as links), sorted."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    return sorted(line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#"))


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


def require_country(value: str, *, examples: str = "Denmark, Danmark, DK, DNK, Kenya, KE", more: str = "") -> str:
    """The alpha-2 code of a country as typed; refused with how to write one (and `more` on that)."""
    from config.errors import UserError

    code = parse_country(value)
    if code is None:
        raise UserError(
            f"“{value[:40]}” is not a country I know.",
            hint=_did_you_mean(suggest_country(value[:80]))
            + "Write a country as its name, in English or in its own language, or as its ISO 3166 code of two "
            + f"or three letters; for example: {examples}." + (f" {more}" if more else ""),
        )
    return code


TIMEZONE_HOW_TO = (
    "Use an IANA name or its city, for example Europe/Copenhagen, Copenhagen, America/New_York or UTC, a "
    "country that keeps one time (Denmark, Kenya), or an offset in whole hours such as UTC+3."
)


def require_timezone(value: str) -> str:
    from config.errors import UserError

    zone = parse_timezone(value)
    if zone is not None:
        return zone
    offset = _offset(unquoted(value))
    if offset is None:
        raise UserError(
            f"“{value[:40]}” is not a time zone I know.",
            hint=_did_you_mean(suggest_timezone(value[:80])) + TIMEZONE_HOW_TO,
        )
    hours, minutes = offset
    if minutes:
        cities = zones_at_offset(hours, minutes)
        where = f": use its city, for example {' or '.join(cities)}." if cities else "."
        raise UserError(f"“{value[:40]}” is an offset that has no time zone of its own{where}", hint=TIMEZONE_HOW_TO)
    raise UserError(
        f"“{value[:40]}” is not an offset from UTC: they run from UTC-12 to UTC+14.", hint=TIMEZONE_HOW_TO
    )
