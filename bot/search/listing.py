"""A question that names only what to list, with no topic: countries, kinds of document and words such as
"latest" or "all" (`pilots in Sweden`, `experts from Kenya`, `latest reports`, `Denmark and the UK`).

Searched by meaning, such a question ranks whatever lies near the word: "Sweden" lists other countries'
pilots after the Swedish ones, and "reports" finds pilots that mention reporting. It is read as the filters
it names instead (`country:SE`, `kind:report`), and the answer lists what they match, newest first, with how
to search a topic among them. A country counts by its name, in English or a language members ask in (`Sverige`, `Kenia`), or
by its code in capitals (`DK`, `UK`), where it cannot be a word (`in`, `no`, `de`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from config.vocabulary import country_name, country_name_words, parse_country
from knowledge.language import ALL_STOPWORDS
from knowledge.records import KINDS
from knowledge.search import Filters
from knowledge.terms import WORD

# The words for each kind, as filters (`kind:pilots`) and questions (`find experts in Kenya`) take them.
KIND_ALIASES = {
    **{k: k for k in KINDS}, **{f"{k}s": k for k in KINDS},
    "people": "expert", "person": "expert", "document": "report", "documents": "report",
}
# ... and in a question, in every supported language ("pilotprojekter i Danmark", "Experten aus Kenia").
_KIND_WORDS = {
    **KIND_ALIASES,
    **dict.fromkeys(
        "projects project pilotprojekt pilotprojekter projekter pilotprosjekt pilotprosjekter prosjekt prosjekter "
        "pilotprojekte projekte pilotproject pilotprojecten projecten projet projets pilote pilotes proyecto "
        "proyectos piloto pilotos mradi miradi".split(), "pilot"),
    **dict.fromkeys(
        "ekspert eksperter experter experten expertinnen deskundigen expertos expertas mtaalamu wataalamu".split(),
        "expert"),
    **dict.fromkeys("rapporter rapporten bericht berichte rapports informe informes ripoti".split(), "report"),
    **dict.fromkeys(
        "værktøj værktøjer verktøy verktyg werkzeuge instrumenten hulpmiddelen outils herramientas zana".split(), "tool"),
}
# Words that ask for a list without being a topic ("list projects based in Kenya", "latest reports", "all
# tools", "seneste rapporter", "alle Experten"); the stop words of every language are read past as well.
_LISTING_WORDS = frozenset(
    "list all every everything latest newest recent new based located working work programmes programs "
    "initiatives alle seneste nyeste alla senaste nyaste siste neueste nieuwste tous toutes derniers dernières "
    "todos todas últimos recientes zote nchini".split()
)
# Short names typed in small letters too, being no word of any supported language.
_LOWER_CASE_CODES = frozenset({"uk", "usa", "uae"})
_LONGEST_COUNTRY_NAME = 5  # words, with "the": "the United States of America"
_MAX_WORDS = 12


@dataclass(frozen=True)
class Listing:
    countries: tuple[str, ...]  # alpha-2 codes, in the order named
    kinds: tuple[str, ...]  # kinds named, through `find` only (`pilots` and `experts` have their own)


def listing_named(text: str, fixed_kind: str | None = None) -> Listing | None:
    """What a question names to list, when it names nothing else; None for a question with a topic.
    Through a command of one kind (`pilots`, `experts`), a word such as "all" or "latest" is enough."""
    tokens = WORD.findall(text)
    if not tokens or len(tokens) > _MAX_WORDS:
        return None
    known = country_name_words()
    if any(
        (word := token.casefold()) not in known and word not in ALL_STOPWORDS and word not in _LISTING_WORDS
        and word not in _KIND_WORDS
        for token in tokens
    ):
        return None  # a word that names no place, kind or list: a topic (told without looking names up)
    countries: list[str] = []
    kinds: list[str] = []
    asked_for_a_list = False
    at = 0
    while at < len(tokens):
        length, code = _country_at(tokens, at)
        if code:
            countries.append(code)
            at += length
            continue
        word = tokens[at].casefold()
        kind = _KIND_WORDS.get(word)
        if kind is not None and fixed_kind in (None, kind):
            if fixed_kind is None:
                kinds.append(kind)
            asked_for_a_list = True
        elif word in _LISTING_WORDS:
            asked_for_a_list = True
        elif word not in ALL_STOPWORDS:
            return None
        at += 1
    if countries or kinds or (fixed_kind is not None and asked_for_a_list):
        return Listing(tuple(dict.fromkeys(countries)), tuple(dict.fromkeys(kinds)))
    return None


def _country_at(tokens: list[str], at: int) -> tuple[int, str | None]:
    """The longest country name starting at token `at` (its length in tokens, and its code)."""
    known = country_name_words()
    for length in range(min(_LONGEST_COUNTRY_NAME, len(tokens) - at), 0, -1):
        words = tokens[at : at + length]
        core = words[1:] if words[0].casefold() == "the" else words
        if not core or any(word.casefold() not in known for word in core):
            continue  # no name: looked up only where every word could be one
        short = len(core[0]) <= 3 and core[0].casefold() not in _LOWER_CASE_CODES
        if len(core) == 1 and not core[0].isupper() and (short or core[0].casefold() in ALL_STOPWORDS):
            continue  # "in", "no", "and": words before they are codes (`IN`, `NO`, `AND`)
        code = parse_country(" ".join(words))
        if code:
            return length, code
    return 0, None


# --- The answer ---------------------------------------------------------------------------------------------

# The command that searches each kind, for the tip on searching a topic among what is listed.
_SEARCH_COMMANDS = {"pilot": "pilots", "expert": "experts"}
# Country names said with "the": the United Kingdom, the Netherlands, the Philippines, the Czech Republic.
_WITH_ARTICLE = re.compile(r"^United |(?:lands|ines|Republic|Emirates|Bahamas|Maldives|Gambia|Comoros)$")


def what_is_listed(filters: Filters, what: str) -> str:
    """"pilots" for `find projects in Kenya`: the one kind named, or the command's own word for its results."""
    return f"{next(iter(filters.kinds))}s" if len(filters.kinds) == 1 else what


def heading(counted: str, filters: Filters, *, newest_only: bool) -> str:
    """"4 pilots in Sweden, newest first. To search a topic there: `pilots <topic> country:SE`." (`counted`:
    "4 pilots", or "The 25 newest pilots" when the list stops at its limit: `newest_only`)."""
    where = f" in {_places(filters)}" if filters.countries else ""
    kind = next(iter(filters.kinds)) if len(filters.kinds) == 1 else None
    command = _SEARCH_COMMANDS.get(kind or "", "find")
    words = [f"{command} <topic>"]
    if kind and command == "find":
        words.append(f"kind:{kind}")
    if filters.countries:
        words.append(f"country:{','.join(sorted(filters.countries))}")
    among = "there" if filters.countries else "among them"
    return f"{counted}{where}{'' if newest_only else ', newest first'}. To search a topic {among}: `{' '.join(words)}`."


def nothing_listed(filters: Filters, what: str) -> tuple[str, str]:
    """What to say, and the hint, when nothing is there."""
    if filters.countries:
        return f"I have no {what} in {_places(filters)} yet.", "Try a neighbouring country, or a topic without the country."
    return f"I have no {what} yet.", "An admin can add them with `python main.py ingest PATH`; `help find` shows the kinds."


def _places(filters: Filters) -> str:
    return " or ".join(sorted(_with_article(country_name(code)) for code in filters.countries))


def _with_article(name: str) -> str:
    return f"the {name}" if _WITH_ARTICLE.search(name) else name
